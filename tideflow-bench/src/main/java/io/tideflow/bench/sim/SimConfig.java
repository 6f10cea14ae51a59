package io.tideflow.bench.sim;

import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.autoscale.ScalingPolicy;
import io.tideflow.core.placement.PlacementPolicy;
import io.tideflow.core.placement.PlacementStrategy;
import io.tideflow.core.placement.PolicyPlacement;
import io.tideflow.core.placement.Sampling;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * One simulation: the pool, the load, the faults and the policies, all in simulated time.
 *
 * @param seed every random draw (arrivals, task lengths, start-ups, failures) comes from it
 * @param length simulated time to run
 * @param initialNodes nodes READY at the start
 * @param limits the pool's bounds and cooldowns, as production takes them
 * @param nodeCpuMillis each node's cpu capacity
 * @param taskCpuMillis each task's cpu demand (a task holds it from placement to its end)
 * @param meanTaskMillis tasks last an exponential time of this mean
 * @param load tasks per second offered
 * @param primaryStartup the primary provider's start-up of a node: median and spread (lognormal)
 * @param secondaryStartup the provider failed over to while the primary is out
 * @param failoverDelay how long a launch to a primary that is out takes to fail (its timeout)
 * @param outageAtMillis when the primary provider goes out; negative for never
 * @param outageMillis how long it stays out
 * @param failuresPerNodeHour each READY node dies at this rate (1 % an hour is 0.01)
 * @param lostAfter how long a dead node stays listed by its provider before the pool reaps it
 * @param decisionInterval how often the pool's reconciler steps
 * @param window how far back the metrics window reaches
 * @param policies the production policies, built afresh per run (some keep no state, all may)
 * @param demandMetric the name under which the simulation adds the pool's demand per READY node
 *     (running and waiting cpu over capacity) to each sample, for a predictive policy to forecast
 * @param placement how a task's node is chosen
 */
public record SimConfig(
    long seed,
    Duration length,
    int initialNodes,
    PoolLimits limits,
    long nodeCpuMillis,
    long taskCpuMillis,
    long meanTaskMillis,
    LoadModel load,
    Startup primaryStartup,
    Startup secondaryStartup,
    Duration failoverDelay,
    long outageAtMillis,
    long outageMillis,
    double failuresPerNodeHour,
    Duration lostAfter,
    Duration decisionInterval,
    Duration window,
    Supplier<List<ScalingPolicy>> policies,
    String demandMetric,
    PlacementStrategy placement) {

  /** The extra metric a simulation adds to each sample: demand per READY node. */
  public static final String DEMAND = "demand";

  /** A start-up delay: lognormal around {@code medianMillis}, {@code sigma} its log spread. */
  public record Startup(long medianMillis, double sigma) {
    /** The local-process provider as measured: median 1,756 ms, 1,665–2,051 over 9 samples. */
    public static final Startup LOCAL_PROCESS = new Startup(1_756, 0.06);

    /** An assumed virtual machine or node pool: 90 s median (not measured here). */
    public static final Startup VM = new Startup(90_000, 0.25);
  }

  public SimConfig {
    if (length.isNegative() || length.isZero() || initialNodes < 0 || nodeCpuMillis <= 0) {
      throw new IllegalArgumentException("length, nodes and capacity must be positive");
    }
    if (taskCpuMillis <= 0 || taskCpuMillis > nodeCpuMillis || meanTaskMillis <= 0) {
      throw new IllegalArgumentException(
          "a task must need 1.." + nodeCpuMillis + "m and last > 0 ms, was " + taskCpuMillis);
    }
  }

  /** Sampled bin-packing over the cluster, as production places tasks with constraints. */
  public static PlacementStrategy defaultPlacement() {
    return new PolicyPlacement(
        PlacementPolicy.binPack().toBuilder().sampling(new Sampling(0.5, 50)).build());
  }

  /**
   * A pool of 4-core nodes taking 500m tasks of 60 s on average, local-process start-ups, no
   * faults, 15 s decisions over a 5-minute window.
   */
  public static SimConfig of(
      long seed, Duration length, LoadModel load, Supplier<List<ScalingPolicy>> policies) {
    return new SimConfig(
        seed,
        length,
        2,
        PoolLimits.of(1, 1_000),
        4_000,
        500,
        60_000,
        load,
        Startup.LOCAL_PROCESS,
        Startup.VM,
        Duration.ofSeconds(30),
        -1,
        0,
        0,
        Duration.ofSeconds(6),
        Duration.ofSeconds(15),
        Duration.ofMinutes(5),
        policies,
        DEMAND,
        defaultPlacement());
  }

  public SimConfig withStartup(Startup primary) {
    return new SimConfig(
        seed,
        length,
        initialNodes,
        limits,
        nodeCpuMillis,
        taskCpuMillis,
        meanTaskMillis,
        load,
        primary,
        secondaryStartup,
        failoverDelay,
        outageAtMillis,
        outageMillis,
        failuresPerNodeHour,
        lostAfter,
        decisionInterval,
        window,
        policies,
        demandMetric,
        placement);
  }

  public SimConfig withNodes(int initial, PoolLimits bounds) {
    return new SimConfig(
        seed,
        length,
        initial,
        bounds,
        nodeCpuMillis,
        taskCpuMillis,
        meanTaskMillis,
        load,
        primaryStartup,
        secondaryStartup,
        failoverDelay,
        outageAtMillis,
        outageMillis,
        failuresPerNodeHour,
        lostAfter,
        decisionInterval,
        window,
        policies,
        demandMetric,
        placement);
  }

  public SimConfig withTasks(long cpuMillis, long meanMillis) {
    return new SimConfig(
        seed,
        length,
        initialNodes,
        limits,
        nodeCpuMillis,
        cpuMillis,
        meanMillis,
        load,
        primaryStartup,
        secondaryStartup,
        failoverDelay,
        outageAtMillis,
        outageMillis,
        failuresPerNodeHour,
        lostAfter,
        decisionInterval,
        window,
        policies,
        demandMetric,
        placement);
  }

  /**
   * Nodes fail at {@code perNodeHour}; the primary provider is out {@code length} from {@code at}.
   */
  public SimConfig withFaults(double perNodeHour, Duration outageAt, Duration outage) {
    return new SimConfig(
        seed,
        length,
        initialNodes,
        limits,
        nodeCpuMillis,
        taskCpuMillis,
        meanTaskMillis,
        load,
        primaryStartup,
        secondaryStartup,
        failoverDelay,
        outageAt == null ? -1 : outageAt.toMillis(),
        outage == null ? 0 : outage.toMillis(),
        perNodeHour,
        lostAfter,
        decisionInterval,
        window,
        policies,
        demandMetric,
        placement);
  }

  public SimConfig withSeed(long value) {
    return new SimConfig(
        value,
        length,
        initialNodes,
        limits,
        nodeCpuMillis,
        taskCpuMillis,
        meanTaskMillis,
        load,
        primaryStartup,
        secondaryStartup,
        failoverDelay,
        outageAtMillis,
        outageMillis,
        failuresPerNodeHour,
        lostAfter,
        decisionInterval,
        window,
        policies,
        demandMetric,
        placement);
  }
}
