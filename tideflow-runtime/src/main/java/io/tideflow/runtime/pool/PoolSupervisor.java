package io.tideflow.runtime.pool;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.autoscale.Autoscaler;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.autoscale.PendingDemandPolicy;
import io.tideflow.core.autoscale.ScalingPolicy;
import io.tideflow.core.autoscale.TargetTrackingPolicy;
import io.tideflow.runtime.autoscale.DecisionLogs;
import io.tideflow.runtime.autoscale.LoadHistories;
import io.tideflow.runtime.autoscale.PendingDemand;
import io.tideflow.runtime.autoscale.PoolAutoscaler;
import io.tideflow.runtime.autoscale.ProviderHealths;
import io.tideflow.runtime.autoscale.ScaleRequests;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.runtime.membership.WatchHealths;
import io.tideflow.runtime.provider.MultiProvider;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.provider.ProviderHealth;
import io.tideflow.runtime.provider.WarmPool;
import io.tideflow.store.ClusterStore;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link PoolSpec} only while its {@link Coordinator} leads: when it wins the election the
 * pool starts (providers, warm nodes, registry watcher, pending-demand follower, autoscaler). It
 * acts only while the store confirms the leadership ({@link Coordinator#mayAct()}): while the store
 * is away the pool holds, launching, draining and terminating nothing.
 *
 * <p>Losing the leadership stops the deciding (watcher, demand follower, autoscaler) but not the
 * nodes: they go on serving, held by their providers, and the pool takes them up again when this
 * coordinator leads again. Only {@link #close()} terminates them. Drains carry the leadership's
 * fencing token, which workers check against the store; decisions and provider health are published
 * for {@code tideflow status} with fenced writes, so a deposed leader's are refused.
 *
 * <p>Threads: starting and stopping run in order on one lifecycle thread of its own (the
 * coordinator's callback only hands them over); the running parts are held by that thread. {@link
 * #decisions()} and {@link #providerHealth()} may be called from any thread.
 */
public final class PoolSupervisor implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PoolSupervisor.class.getName());

  /** Failed launches in a row after which a provider of several counts as unhealthy. */
  static final int UNHEALTHY_AFTER_FAILURES = 3;

  /** How long the pool waits for the store when it starts. */
  static final Duration STORE_TIMEOUT = Duration.ofSeconds(5);

  private final PoolSpec spec;
  private final ClusterStore store;
  private final String storeUri;
  private final Coordinator coordinator;
  private final MeterRegistry metrics;
  private final InstantSource clock;
  private final PoolLinks links;
  private final ExecutorService lifecycle;

  /** Set by {@link #close()} before its stop is queued; read by the lifecycle thread. */
  private volatile boolean closed;

  /** The deciding parts of the running pool, newest last; empty while not leading. Lifecycle. */
  private final List<AutoCloseable> parts = new ArrayList<>();

  /**
   * The providers and warm pool, newest last, with the nodes they hold: kept across leaderships,
   * closed (terminating the nodes) only by {@link #close()}. Lifecycle thread.
   */
  private final List<AutoCloseable> nodeParts = new ArrayList<>();

  /** The providers as one, once made; reused when leading again. Lifecycle thread. */
  private NodeProvider kept;

  private volatile PoolAutoscaler autoscaler;
  private volatile NodeProvider provider;
  private volatile PendingDemand demand;
  private final PoolMeters meters;

  /**
   * What was last written for the providers' health (autoscaler thread; a failed write clears it).
   */
  private volatile Map<String, ProviderHealth> publishedHealth;

  private PoolSupervisor(
      PoolSpec spec,
      ClusterStore store,
      String storeUri,
      Coordinator coordinator,
      MeterRegistry metrics,
      InstantSource clock,
      PoolLinks links) {
    this.spec = spec;
    this.links = links;
    this.store = store;
    this.storeUri = storeUri;
    this.coordinator = coordinator;
    this.metrics = metrics;
    this.clock = clock;
    this.lifecycle =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("tideflow-pool-" + spec.name()).factory());
    this.meters = new PoolMeters(metrics, spec, new Readings());
  }

  /** What the pool's meters read: the running pool's parts, as they are now. */
  private final class Readings implements PoolMeters.Readings {
    @Override
    public int nodes() {
      NodeProvider p = provider;
      return p == null ? -1 : p.nodes().size();
    }

    @Override
    public int desired() {
      List<DecisionRecord> log = decisions();
      return log.isEmpty() ? -1 : log.getLast().desired();
    }

    @Override
    public int waiting() {
      PendingDemand d = demand;
      return d == null || provider == null ? -1 : d.demandFor(spec.template()).size();
    }

    @Override
    public Map<String, ProviderHealth> providers() {
      NodeProvider p = provider;
      return p == null ? Map.of() : ProviderHealths.of(p);
    }
  }

  /**
   * Supervises {@code spec} on {@code coordinator} from now on: started at once if it leads, and
   * whenever it starts leading again.
   *
   * @param storeUri how worker processes reach {@code store}; null for an in-memory store
   */
  public static PoolSupervisor attach(
      PoolSpec spec,
      Coordinator coordinator,
      ClusterStore store,
      String storeUri,
      MeterRegistry metrics) {
    return attach(spec, coordinator, store, storeUri, metrics, InstantSource.system());
  }

  /**
   * As {@link #attach(PoolSpec, Coordinator, ClusterStore, String, MeterRegistry)}, on {@code
   * clock}.
   */
  public static PoolSupervisor attach(
      PoolSpec spec,
      Coordinator coordinator,
      ClusterStore store,
      String storeUri,
      MeterRegistry metrics,
      InstantSource clock) {
    return attach(spec, coordinator, store, storeUri, metrics, clock, PoolLinks.LOOPBACK);
  }

  /**
   * As {@link #attach(PoolSpec, Coordinator, ClusterStore, String, MeterRegistry, InstantSource)},
   * the pool's nodes reached and listening as {@code links} says.
   */
  public static PoolSupervisor attach(
      PoolSpec spec,
      Coordinator coordinator,
      ClusterStore store,
      String storeUri,
      MeterRegistry metrics,
      InstantSource clock,
      PoolLinks links) {
    PoolSupervisor pool =
        new PoolSupervisor(spec, store, storeUri, coordinator, metrics, clock, links);
    coordinator.onLeadershipChange(pool::leading);
    if (coordinator.isLeader()) {
      pool.leading(true);
    }
    return pool;
  }

  public PoolSpec spec() {
    return spec;
  }

  /** True while the pool runs (its coordinator leads and it started). */
  public boolean running() {
    return autoscaler != null;
  }

  /** The decisions of the pool's autoscaler while it runs, oldest first; empty otherwise. */
  public List<DecisionRecord> decisions() {
    PoolAutoscaler a = autoscaler;
    return a == null ? List.of() : a.decisions();
  }

  /** The providers' health while the pool runs, for people; empty otherwise. */
  public String providerHealth() {
    NodeProvider p = provider;
    return p == null ? "" : ProviderHealths.describe(ProviderHealths.of(p));
  }

  private void leading(boolean leads) {
    try {
      lifecycle.execute(leads ? this::start : this::stop);
    } catch (RejectedExecutionException e) {
      // Closed: the pool is stopped for good.
    }
  }

  private void start() {
    // closed: a leadership event that slipped in behind close()'s stop must not start it again.
    if (closed || !parts.isEmpty() || !coordinator.isLeader()) {
      return;
    }
    try {
      if (kept == null) {
        kept = providers();
      }
      NodeProvider nodes = kept;
      ClusterWatcher watcher = ClusterWatcher.start(store, STORE_TIMEOUT);
      parts.add(watcher);
      WatchHealths.Publisher watchHealth =
          new WatchHealths.Publisher(
              "pool-" + spec.name(), coordinator.candidate(), watcher::health);
      PendingDemand demand = null;
      if (spec.followsPendingDemand()) {
        demand = PendingDemand.follow(store, STORE_TIMEOUT, clock);
        parts.add(demand);
      }
      ScaleRequests requests = ScaleRequests.follow(store, STORE_TIMEOUT, clock);
      parts.add(requests);
      PoolAutoscaler a =
          new PoolAutoscaler(
                  spec.config(), autoscaler(), nodes, watcher, clock, coordinator::fencingToken)
              .onlyWhile(coordinator::mayAct)
              .linkSecurity(links.control());
      parts.add(a); // closed with the rest even if what follows fails
      a.scaleRequest(() -> requests.of(spec.name()));
      if (demand != null) {
        PendingDemand waiting = demand;
        a.pendingDemand(() -> waiting.demandFor(spec.template()))
            .demandSeenAt(waiting::asOf, spec.demandSettle());
      }
      if (a.forecasts()) {
        keepLoad(a);
      }
      a.onDecisionLog(log -> meters.decided(log.getLast()));
      a.onDecisionLog(
          log ->
              coordinator
                  .leadership()
                  .ifPresent(
                      leader -> {
                        DecisionLogs.publish(leader, spec.name(), log);
                        publishHealth(leader, nodes);
                        watchHealth.publish(leader);
                      }));
      provider = nodes;
      this.demand = demand;
      meters.providers(() -> ProviderHealths.of(nodes));
      a.start();
      autoscaler = a;
      LOG.log(
          Level.INFO,
          "pool "
              + spec.name()
              + " started: this coordinator leads (fencing token "
              + coordinator.fencingToken()
              + ")");
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "pool " + spec.name() + " could not start: " + e.getMessage(), e);
      stop();
      if (kept == null) {
        closeAll(nodeParts); // providers made before the failure hold no pool yet
      }
    }
  }

  /**
   * Starts a forecasting pool from the load history the previous leader stored, and stores it
   * (fenced) each time a bucket completes. A history that cannot be read is left: the forecast then
   * starts afresh.
   */
  private void keepLoad(PoolAutoscaler a) {
    String key = ClusterKeys.load(spec.name());
    try {
      StoreCalls.await(store.get(key), STORE_TIMEOUT, "read the load history")
          .ifPresent(kv -> a.restoreLoad(LoadHistories.decode(key, kv.value())));
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "pool " + spec.name() + " starts its load history afresh: " + e.getMessage());
    }
    a.onLoad(
        history ->
            coordinator
                .leadership()
                .ifPresent(
                    leader ->
                        leader
                            .put(key, LoadHistories.encode(history))
                            .exceptionally(
                                e -> {
                                  LOG.log(
                                      Level.DEBUG,
                                      "could not store the load history of pool "
                                          + spec.name()
                                          + ": "
                                          + e.getMessage());
                                  return false;
                                })));
  }

  /** The providers in priority order, behind a warm pool when asked; each is a part to close. */
  private NodeProvider providers() {
    List<NodeProvider> each = new ArrayList<>();
    for (ProviderFactory factory : spec.providers()) {
      NodeProvider p = factory.create(store, storeUri, metrics, links.nodes());
      each.add(p);
      nodeParts.add(p);
    }
    NodeProvider nodes =
        each.size() == 1 ? each.getFirst() : new MultiProvider(each, UNHEALTHY_AFTER_FAILURES);
    if (spec.warm() > 0) {
      nodes = new WarmPool(nodes, spec.template(), spec.warm());
      nodeParts.add(nodes);
    }
    return nodes;
  }

  private Autoscaler autoscaler() {
    List<ScalingPolicy> policies = new ArrayList<>();
    boolean alone = spec.policies().size() == 1;
    for (PolicySpec p : spec.policies()) {
      policies.add(
          switch (p) {
            case PolicySpec.TargetTracking t ->
                new TargetTrackingPolicy(t.metric(), t.target(), t.tolerance(), t.behavior());
            case PolicySpec.PendingDemand d ->
                alone
                    ? new PendingDemandPolicy(spec.template().capacity())
                    : PendingDemandPolicy.besideUtilization(spec.template().capacity());
            case PolicySpec.Threshold t -> t.policy();
            case PolicySpec.Predictive f -> f.policy();
          });
    }
    return new Autoscaler(policies, spec.limits(), spec.schedule());
  }

  /** Writes the providers' health when it changed, for {@code status}. */
  private void publishHealth(io.tideflow.store.Leadership leader, NodeProvider nodes) {
    Map<String, ProviderHealth> now = ProviderHealths.of(nodes);
    if (!now.equals(publishedHealth)) {
      publishedHealth = now;
      ProviderHealths.publish(leader, spec.name(), now)
          .exceptionally(
              e -> {
                publishedHealth = null; // write again next time
                return null;
              });
    }
  }

  /** Stops the deciding; the nodes keep serving, held by their providers for the next start. */
  private void stop() {
    autoscaler = null;
    provider = null;
    demand = null;
    boolean wasRunning = !parts.isEmpty();
    closeAll(parts);
    if (wasRunning) {
      LOG.log(
          Level.INFO,
          "pool "
              + spec.name()
              + " stopped deciding; its "
              + (kept == null ? 0 : kept.nodes().size())
              + " nodes keep serving");
    }
  }

  /**
   * Stops the deciding and, if this coordinator still leads, terminates the pool's nodes (its
   * providers' close does). One that no longer leads lets them go instead ({@link
   * NodeProvider#release}): the leader adopts them, and tearing them down would only make it start
   * them again.
   */
  private void stopWithNodes() {
    stop();
    kept = null;
    if (coordinator.isLeader()) {
      closeAll(nodeParts);
      return;
    }
    for (AutoCloseable part : nodeParts.reversed()) {
      try {
        if (part instanceof NodeProvider p) {
          p.release();
        } else {
          part.close();
        }
      } catch (Exception e) {
        LOG.log(Level.WARNING, "letting " + part + " go failed: " + e);
      }
    }
    nodeParts.clear();
  }

  private static void closeAll(List<AutoCloseable> each) {
    for (AutoCloseable part : each.reversed()) {
      try {
        part.close();
      } catch (Exception e) {
        LOG.log(Level.WARNING, "closing " + part + " failed: " + e);
      }
    }
    each.clear();
  }

  /** Stops the pool with its nodes, waiting up to a minute for that. */
  @Override
  public void close() {
    closed = true;
    try {
      lifecycle.execute(this::stopWithNodes);
    } catch (RejectedExecutionException e) {
      return; // already closed
    }
    lifecycle.shutdown();
    try {
      if (!lifecycle.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.log(Level.WARNING, "pool " + spec.name() + " did not stop within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    meters.close();
  }
}
