package io.tideflow.runtime.client;

import io.tideflow.core.balance.Balancer;
import io.tideflow.core.placement.LeastLoadedPlacement;
import io.tideflow.core.placement.PlacementStrategy;
import io.tideflow.core.retry.Backoff;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.store.clock.MonotonicClock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.Supplier;

/**
 * How a client submits tasks. Time comes from {@code clock}: it drives task deadlines and reconnect
 * back-offs.
 *
 * @param maxPending tasks accepted but not yet sent to a worker; submits beyond it are rejected
 * @param maxPendingBytes payload bytes of the tasks accepted and not yet answered, waiting or in
 *     flight (the client keeps each payload until its answer, to send it again); a submit beyond it
 *     is rejected at once, as one beyond {@code maxPending} is
 * @param maxPayloadBytes largest payload accepted, at most {@link WireLimits#MAX_PAYLOAD_BYTES}
 * @param storeTimeout bound on reading the registry at start
 * @param reconnectBackoff how long a node whose connection broke, or that turned a task back, is
 *     left alone before the client dials it again (while the registry still lists it as READY):
 *     {@code delay(n)} after its n-th such failure in a row, counted per node and started afresh
 *     once a stream to it is answered or it leaves the registry
 * @param placement chooses the worker of each task that has constraints (labels, resources), and of
 *     every task when there is no balancer
 * @param balancer when set, picks the worker of each unconstrained task among the ready ones and
 *     learns from each result (latency, failures); null to place every task with {@code placement}
 * @param demandReportInterval how often, at most, the client publishes the work that waits for a
 *     fitting node (for the autoscaler and {@code status}) and its task counts (for alerts)
 * @param demandLeaseTtl the lease of that record: it goes this long after the client dies
 * @param turnBacks what happens to a task a worker turned back unrun (overloaded, draining)
 * @param clock the time the client decides by: whether a task's deadline has passed (waiting or in
 *     flight), whether a node's reconnect back-off is over, the latencies the balancer learns from
 *     and the time stamped on the demand record. {@link MonotonicClock#system()} by default; a test
 *     moves a manual clock to drive deadlines and back-offs exactly. The client's timer still wakes
 *     on real time to look; what it then decides comes from this clock. The default never jumps, so
 *     a step of the system clock moves no deadline or back-off
 */
public record ClientConfig(
    int maxPending,
    long maxPendingBytes,
    int maxPayloadBytes,
    Duration storeTimeout,
    Backoff reconnectBackoff,
    PlacementStrategy placement,
    Supplier<Balancer> balancer,
    Duration demandReportInterval,
    Duration demandLeaseTtl,
    TurnBackPolicy turnBacks,
    InstantSource clock) {

  /** The default of {@link #maxPendingBytes()}: 256 MiB. */
  public static final long DEFAULT_MAX_PENDING_BYTES = 256L * 1024 * 1024;

  public ClientConfig {
    if (maxPending <= 0) {
      throw new IllegalArgumentException("maxPending must be > 0, was " + maxPending);
    }
    if (maxPendingBytes < WireLimits.MAX_PAYLOAD_BYTES) {
      // Below that, a task of the largest payload could never be accepted.
      throw new IllegalArgumentException(
          "maxPendingBytes must be >= "
              + WireLimits.MAX_PAYLOAD_BYTES
              + " (the largest payload), was "
              + maxPendingBytes);
    }
    if (maxPayloadBytes <= 0 || maxPayloadBytes > WireLimits.MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "maxPayloadBytes must be in 1.."
              + WireLimits.MAX_PAYLOAD_BYTES
              + ", was "
              + maxPayloadBytes);
    }
    if (placement == null) {
      throw new IllegalArgumentException("placement must not be null");
    }
    positive("storeTimeout", storeTimeout);
    if (reconnectBackoff == null) {
      throw new IllegalArgumentException("reconnectBackoff must not be null");
    }
    positive("demandReportInterval", demandReportInterval);
    positive("demandLeaseTtl", demandLeaseTtl);
    if (demandLeaseTtl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("demandLeaseTtl must be >= 1s, was " + demandLeaseTtl);
    }
    if (turnBacks == null) {
      throw new IllegalArgumentException("turnBacks must not be null");
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
  }

  /**
   * The defaults. A node is first retried after 1 s, as it always was; a node that keeps failing is
   * dialled half as often each time, down to twice a minute, so an unreachable entry in the
   * registry costs little while a node that comes back soon is used again soon.
   */
  public static ClientConfig defaults() {
    return new ClientConfig(
        100_000,
        DEFAULT_MAX_PENDING_BYTES,
        WireLimits.MAX_PAYLOAD_BYTES,
        Duration.ofSeconds(5),
        Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30)),
        new LeastLoadedPlacement(),
        null,
        Duration.ofSeconds(1),
        Duration.ofSeconds(10),
        TurnBackPolicy.defaults(),
        MonotonicClock.system());
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
  }

  /**
   * Places tasks with {@code strategy} (e.g. a {@link io.tideflow.core.placement.PolicyPlacement}).
   */
  public ClientConfig withPlacement(PlacementStrategy strategy) {
    return new ClientConfig(
        maxPending,
        maxPendingBytes,
        maxPayloadBytes,
        storeTimeout,
        reconnectBackoff,
        strategy,
        balancer,
        demandReportInterval,
        demandLeaseTtl,
        turnBacks,
        clock);
  }

  public ClientConfig withDemandReportInterval(Duration value) {
    return new ClientConfig(
        maxPending,
        maxPendingBytes,
        maxPayloadBytes,
        storeTimeout,
        reconnectBackoff,
        placement,
        balancer,
        value,
        demandLeaseTtl,
        turnBacks,
        clock);
  }

  /** Picks workers of unconstrained tasks with a new balancer from {@code factory}. */
  public ClientConfig withBalancer(Supplier<Balancer> factory) {
    return new ClientConfig(
        maxPending,
        maxPendingBytes,
        maxPayloadBytes,
        storeTimeout,
        reconnectBackoff,
        placement,
        factory,
        demandReportInterval,
        demandLeaseTtl,
        turnBacks,
        clock);
  }

  public ClientConfig withMaxPending(int value) {
    return new ClientConfig(
        value,
        maxPendingBytes,
        maxPayloadBytes,
        storeTimeout,
        reconnectBackoff,
        placement,
        balancer,
        demandReportInterval,
        demandLeaseTtl,
        turnBacks,
        clock);
  }

  public ClientConfig withStoreTimeout(Duration value) {
    return new ClientConfig(
        maxPending,
        maxPendingBytes,
        maxPayloadBytes,
        value,
        reconnectBackoff,
        placement,
        balancer,
        demandReportInterval,
        demandLeaseTtl,
        turnBacks,
        clock);
  }

  public ClientConfig withReconnectBackoff(Backoff value) {
    return new ClientConfig(
        maxPending,
        maxPendingBytes,
        maxPayloadBytes,
        storeTimeout,
        value,
        placement,
        balancer,
        demandReportInterval,
        demandLeaseTtl,
        turnBacks,
        clock);
  }

  /** Decides deadlines and back-offs by {@code value} (see {@link #clock()}). */
  public ClientConfig withClock(InstantSource value) {
    return new ClientConfig(
        maxPending,
        maxPendingBytes,
        maxPayloadBytes,
        storeTimeout,
        reconnectBackoff,
        placement,
        balancer,
        demandReportInterval,
        demandLeaseTtl,
        turnBacks,
        value);
  }

  public ClientConfig withMaxPendingBytes(long value) {
    return new ClientConfig(
        maxPending,
        value,
        maxPayloadBytes,
        storeTimeout,
        reconnectBackoff,
        placement,
        balancer,
        demandReportInterval,
        demandLeaseTtl,
        turnBacks,
        clock);
  }

  public ClientConfig withTurnBacks(TurnBackPolicy value) {
    return new ClientConfig(
        maxPending,
        maxPendingBytes,
        maxPayloadBytes,
        storeTimeout,
        reconnectBackoff,
        placement,
        balancer,
        demandReportInterval,
        demandLeaseTtl,
        value,
        clock);
  }
}
