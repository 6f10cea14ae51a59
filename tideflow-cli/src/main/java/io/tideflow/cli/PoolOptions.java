package io.tideflow.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.autoscale.Autoscaler;
import io.tideflow.core.autoscale.HpaBehavior;
import io.tideflow.core.autoscale.PendingDemandPolicy;
import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.autoscale.ScalingPolicy;
import io.tideflow.core.autoscale.TargetTrackingPolicy;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.autoscale.DecisionLogs;
import io.tideflow.runtime.autoscale.PendingDemand;
import io.tideflow.runtime.autoscale.PoolAutoscaler;
import io.tideflow.runtime.autoscale.PoolConfig;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.provider.InProcessNodeProvider;
import io.tideflow.runtime.provider.LocalProcessNodeProvider;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.runtime.provider.WarmPool;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.store.ClusterStore;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The coordinator's autoscaled pool, as options: which provider starts its nodes, what a node is,
 * its bounds, and what it follows (tasks in flight per node, and work that waits for room).
 */
final class PoolOptions {
  enum ProviderKind { LOCAL_PROCESS, IN_PROCESS }

  @Option(names = "--pool", paramLabel = "NAME",
      description = "Autoscale a pool of this name while leading (nodes carry tideflow.io/pool=NAME)")
  String pool;

  @Option(names = "--provider", paramLabel = "KIND",
      description = "Who starts the pool's nodes: LOCAL_PROCESS (worker JVMs on this machine) or"
          + " IN_PROCESS (workers inside this JVM) (default: ${DEFAULT-VALUE})")
  ProviderKind provider = ProviderKind.LOCAL_PROCESS;

  @Option(names = "--min", description = "Fewest nodes (default: ${DEFAULT-VALUE})")
  int min = 1;

  @Option(names = "--max", description = "Most nodes (default: ${DEFAULT-VALUE})")
  int max = 8;

  @Option(names = "--node-cpu", paramLabel = "MILLICORES",
      description = "Cpu of one node in millicores (default: ${DEFAULT-VALUE})")
  long nodeCpu = 2000;

  @Option(names = "--node-memory-mib", paramLabel = "MIB",
      description = "Memory of one node in MiB (default: ${DEFAULT-VALUE})")
  long nodeMemoryMib = 2048;

  @Option(names = "--target-concurrency", paramLabel = "N",
      description = "Tasks in flight per node to aim for (HPA target tracking); 0 to follow only"
          + " waiting work, and then the pool only grows (default: ${DEFAULT-VALUE})")
  double targetConcurrency = 8;

  @Option(names = "--scale-down-window", paramLabel = "DURATION", converter = Durations.class,
      description = "How long the highest recent recommendation holds before the pool shrinks"
          + " (HPA stabilization; default: ${DEFAULT-VALUE})")
  Duration scaleDownWindow = Duration.ofMinutes(5);

  @Option(names = "--interval", paramLabel = "DURATION", converter = Durations.class,
      description = "How often the autoscaler decides (default: ${DEFAULT-VALUE})")
  Duration interval = Duration.ofSeconds(1);

  @Option(names = "--drain-timeout", paramLabel = "DURATION", converter = Durations.class,
      description = "How long a node being removed may finish its tasks (default: ${DEFAULT-VALUE})")
  Duration drainTimeout = Duration.ofSeconds(30);

  @Option(names = "--warm", paramLabel = "N",
      description = "Started idle nodes kept ready to hand out (default: ${DEFAULT-VALUE})")
  int warm = 0;

  @Option(names = "--node-lease-ttl", paramLabel = "DURATION", converter = Durations.class,
      description = "Lease TTL of the pool's nodes (default: ${DEFAULT-VALUE})")
  Duration nodeLeaseTtl = Duration.ofSeconds(5);

  boolean enabled() {
    return pool != null;
  }

  /** A running pool: its provider, its demand follower and its autoscaler, closed together. */
  static final class Running implements AutoCloseable {
    private final List<AutoCloseable> parts;
    final PoolAutoscaler autoscaler;

    private Running(List<AutoCloseable> parts, PoolAutoscaler autoscaler) {
      this.parts = parts;
      this.autoscaler = autoscaler;
    }

    @Override
    public void close() {
      for (AutoCloseable part : parts.reversed()) {
        try {
          part.close();
        } catch (Exception e) {
          System.getLogger(PoolOptions.class.getName()).log(Level.WARNING,
              "closing " + part + " failed: " + e);
        }
      }
    }
  }

  /**
   * Starts the pool's autoscaler on {@code coordinator}: it decides only while the coordinator
   * leads, carries the leadership's fencing token into drains, and publishes its decision log.
   *
   * @throws IllegalArgumentException naming the option when the options do not make a pool
   */
  Running start(String storeUri, ClusterStore store, Coordinator coordinator, MeterRegistry metrics) {
    if (min < 0 || max < Math.max(1, min)) {
      throw new IllegalArgumentException(
          "--min must be >= 0 and --max >= max(1, --min), were " + min + " and " + max);
    }
    if (nodeCpu <= 0 || nodeMemoryMib <= 0) {
      throw new IllegalArgumentException("--node-cpu and --node-memory-mib must be > 0, were "
          + nodeCpu + " and " + nodeMemoryMib);
    }
    if (targetConcurrency < 0 || warm < 0) {
      throw new IllegalArgumentException("--target-concurrency and --warm must be >= 0, were "
          + targetConcurrency + " and " + warm);
    }
    NodeTemplate template = new NodeTemplate(pool, Resources.of(nodeCpu, nodeMemoryMib << 20),
        Map.of(PoolConfig.POOL_LABEL, pool), nodeLeaseTtl);
    List<AutoCloseable> parts = new ArrayList<>();
    try {
      NodeProvider nodes = provider == ProviderKind.IN_PROCESS
          ? new InProcessNodeProvider(store, TaskHandlers.discover(), metrics)
          : new LocalProcessNodeProvider(storeUri);
      parts.add(nodes);
      if (warm > 0) {
        nodes = new WarmPool(nodes, template, warm);
        parts.add(nodes);
      }
      ClusterWatcher watcher = ClusterWatcher.start(store, Duration.ofSeconds(5));
      parts.add(watcher);
      PendingDemand demand = PendingDemand.follow(store, Duration.ofSeconds(5));
      parts.add(demand);
      List<ScalingPolicy> policies = new ArrayList<>();
      policies.add(targetConcurrency > 0
          ? PendingDemandPolicy.besideUtilization(template.capacity(), () -> demand.demandFor(template))
          : new PendingDemandPolicy(template.capacity(), () -> demand.demandFor(template)));
      if (targetConcurrency > 0) {
        HpaBehavior behavior = HpaBehavior.defaults().withScaleDown(new HpaBehavior.Rules(
            scaleDownWindow, HpaBehavior.defaults().scaleDown().limits(),
            HpaBehavior.defaults().scaleDown().select()));
        policies.add(new TargetTrackingPolicy(PoolAutoscaler.CONCURRENCY, targetConcurrency, 0.1,
            behavior));
      }
      Autoscaler core = new Autoscaler(policies,
          new PoolLimits(min, max, Duration.ZERO, Duration.ZERO, 2.0));
      PoolConfig config = new PoolConfig(pool, template, interval, Duration.ofMinutes(10),
          drainTimeout, 1_000);
      PoolAutoscaler autoscaler = new PoolAutoscaler(config, core, nodes, watcher,
          InstantSource.system(), coordinator::fencingToken)
          .onlyWhile(coordinator::isLeader);
      autoscaler.onDecisionLog(log -> DecisionLogs.publish(store, pool, log));
      autoscaler.start();
      parts.add(autoscaler);
      return new Running(parts, autoscaler);
    } catch (RuntimeException e) {
      new Running(parts, null).close();
      throw e;
    }
  }
}
