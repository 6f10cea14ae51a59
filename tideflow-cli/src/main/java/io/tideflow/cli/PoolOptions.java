package io.tideflow.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.autoscale.Autoscaler;
import io.tideflow.core.autoscale.DecisionRecord;
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
import io.tideflow.runtime.autoscale.ProviderHealths;
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

  @Option(names = "--provider", paramLabel = "KIND", split = ",", defaultValue = "LOCAL_PROCESS",
      description = "Who starts the pool's nodes: LOCAL_PROCESS (worker JVMs on this machine) or"
          + " IN_PROCESS (workers inside this JVM); several, comma-separated, in priority order:"
          + " when one fails to launch or turns unhealthy the next is used (default: LOCAL_PROCESS)")
  List<ProviderKind> providers;

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

  /**
   * Checks the options.
   *
   * @throws IllegalArgumentException naming the option when the options do not make a pool
   */
  void validate() {
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
  }

  /**
   * The pool on {@code coordinator}: it runs only while the coordinator leads — started (provider,
   * warm nodes, autoscaler) when it wins the election, stopped with all its nodes when it loses
   * it or closes — so standbys hold no nodes and a deposed leader leaves none behind. Its
   * autoscaler carries the leadership's fencing token into drains and publishes its decisions.
   */
  Pool attach(String storeUri, ClusterStore store, Coordinator coordinator, MeterRegistry metrics) {
    validate();
    Pool pool = new Pool(this, storeUri, store, coordinator, metrics);
    coordinator.onLeadershipChange(pool::leading);
    if (coordinator.isLeader()) {
      pool.leading(true);
    }
    return pool;
  }

  /** A pool that follows its coordinator's leadership. */
  static final class Pool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Pool.class.getName());

    private final PoolOptions options;
    private final String storeUri;
    private final ClusterStore store;
    private final Coordinator coordinator;
    private final MeterRegistry metrics;
    /** Starts and stops the pool in order, off the coordinator's thread. */
    private final java.util.concurrent.ExecutorService lifecycle;
    /** The parts of the running pool, newest last; empty while not leading. Lifecycle thread. */
    private final List<AutoCloseable> parts = new ArrayList<>();
    private volatile PoolAutoscaler autoscaler;
    private volatile NodeProvider provider;
    /** What was last written for the providers' health (autoscaler thread). */
    private java.util.Map<String, io.tideflow.runtime.provider.ProviderHealth> publishedHealth;

    /** Writes the providers' health when it changed, for {@code status}. */
    private void publishHealth(String name, NodeProvider nodes) {
      java.util.Map<String, io.tideflow.runtime.provider.ProviderHealth> now = ProviderHealths.of(nodes);
      if (!now.equals(publishedHealth)) {
        publishedHealth = now;
        ProviderHealths.publish(store, name, now).exceptionally(e -> {
          publishedHealth = null; // write again next time
          return null;
        });
      }
    }

    /** The providers' health while the pool runs, for people; empty otherwise. */
    String providerHealth() {
      NodeProvider p = provider;
      return p == null ? "" : ProviderHealths.describe(ProviderHealths.of(p));
    }

    private Pool(PoolOptions options, String storeUri, ClusterStore store, Coordinator coordinator,
        MeterRegistry metrics) {
      this.options = options;
      this.storeUri = storeUri;
      this.store = store;
      this.coordinator = coordinator;
      this.metrics = metrics;
      this.lifecycle = java.util.concurrent.Executors.newSingleThreadExecutor(
          Thread.ofPlatform().daemon().name("tideflow-pool-" + options.pool).factory());
    }

    void leading(boolean leads) {
      try {
        lifecycle.execute(leads ? this::start : this::stop);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Closed: the pool is stopped for good.
      }
    }

    /** The decisions of the pool's autoscaler while it runs; empty otherwise. */
    List<DecisionRecord> decisions() {
      PoolAutoscaler a = autoscaler;
      return a == null ? List.of() : a.decisions();
    }

    private void start() {
      if (!parts.isEmpty() || !coordinator.isLeader()) {
        return;
      }
      String name = options.pool;
      NodeTemplate template = new NodeTemplate(name,
          Resources.of(options.nodeCpu, options.nodeMemoryMib << 20),
          Map.of(PoolConfig.POOL_LABEL, name), options.nodeLeaseTtl);
      try {
        List<NodeProvider> each = new ArrayList<>();
        for (ProviderKind kind : options.providers == null || options.providers.isEmpty()
            ? List.of(ProviderKind.LOCAL_PROCESS) : options.providers) {
          NodeProvider p = kind == ProviderKind.IN_PROCESS
              ? new InProcessNodeProvider(store, TaskHandlers.discover(), metrics)
              : new LocalProcessNodeProvider(storeUri);
          each.add(p);
          parts.add(p);
        }
        NodeProvider nodes = each.size() == 1 ? each.getFirst()
            : new io.tideflow.runtime.provider.MultiProvider(each, 3);
        if (options.warm > 0) {
          nodes = new WarmPool(nodes, template, options.warm);
          parts.add(nodes);
        }
        ClusterWatcher watcher = ClusterWatcher.start(store, Duration.ofSeconds(5));
        parts.add(watcher);
        PendingDemand demand = PendingDemand.follow(store, Duration.ofSeconds(5));
        parts.add(demand);
        List<ScalingPolicy> policies = new ArrayList<>();
        policies.add(options.targetConcurrency > 0
            ? PendingDemandPolicy.besideUtilization(template.capacity(), () -> demand.demandFor(template))
            : new PendingDemandPolicy(template.capacity(), () -> demand.demandFor(template)));
        if (options.targetConcurrency > 0) {
          HpaBehavior behavior = HpaBehavior.defaults().withScaleDown(new HpaBehavior.Rules(
              options.scaleDownWindow, HpaBehavior.defaults().scaleDown().limits(),
              HpaBehavior.defaults().scaleDown().select()));
          policies.add(new TargetTrackingPolicy(PoolAutoscaler.CONCURRENCY,
              options.targetConcurrency, 0.1, behavior));
        }
        Autoscaler core = new Autoscaler(policies,
            new PoolLimits(options.min, options.max, Duration.ZERO, Duration.ZERO, 2.0));
        PoolConfig config = new PoolConfig(name, template, options.interval,
            Duration.ofMinutes(10), options.drainTimeout, 1_000);
        PoolAutoscaler a = new PoolAutoscaler(config, core, nodes, watcher,
            InstantSource.system(), coordinator::fencingToken)
            .onlyWhile(coordinator::isLeader)
            // Clients report within a second (ClientConfig's default) of seeing a node.
            .demandSeenAt(demand::asOf, Duration.ofSeconds(2));
        NodeProvider provided = nodes;
        a.onDecisionLog(log -> {
          DecisionLogs.publish(store, name, log);
          publishHealth(name, provided);
        });
        provider = nodes;
        a.start();
        parts.add(a);
        autoscaler = a;
        LOG.log(Level.INFO, "pool " + name + " started: this coordinator leads");
      } catch (RuntimeException e) {
        LOG.log(Level.ERROR, "pool " + name + " could not start: " + e.getMessage(), e);
        stop();
      }
    }

    /** Stops the autoscaler and terminates the pool's nodes (its provider's close does). */
    private void stop() {
      autoscaler = null;
      provider = null;
      for (AutoCloseable part : parts.reversed()) {
        try {
          part.close();
        } catch (Exception e) {
          LOG.log(Level.WARNING, "closing " + part + " failed: " + e);
        }
      }
      if (!parts.isEmpty()) {
        LOG.log(Level.INFO, "pool " + options.pool + " stopped");
      }
      parts.clear();
    }

    @Override
    public void close() {
      try {
        lifecycle.execute(this::stop);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // already closed
      }
      lifecycle.shutdown();
      try {
        if (!lifecycle.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)) {
          LOG.log(Level.WARNING, "pool " + options.pool + " did not stop within 60 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
