package io.tideflow.runtime.autoscale;

import io.tideflow.core.autoscale.Autoscaler;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.autoscale.MetricsWindow;
import io.tideflow.core.autoscale.PoolState;
import io.tideflow.core.autoscale.ScaleDownSelector;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.provider.ProvidedNode;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs one pool's {@link Autoscaler} on the coordinator: every interval it turns the registry
 * into a metrics sample and a {@link PoolState}, asks the core for a decision, keeps the decision
 * log, and carries the decision out — launching through the {@link NodeProvider}, or draining the
 * least busy nodes (they finish their tasks, take no new ones) and only then terminating them.
 *
 * <p>A node whose termination fails stays out of the pool's count and is terminated again, with
 * a back-off from {@value #RETRY_FIRST_MILLIS} ms doubling to {@value #RETRY_MAX_MILLIS} ms, until
 * the provider confirms it: a node is never forgotten while it may still run (and cost).
 *
 * <p>All its state is owned by its one timer thread; {@link #decisions()} and {@link
 * #leaving()} may be read from any thread.
 */
public final class PoolAutoscaler implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PoolAutoscaler.class.getName());

  /** Tasks running or queued per READY node of the pool: the metric to track for a pool. */
  public static final String CONCURRENCY = "concurrency";

  static final long RETRY_FIRST_MILLIS = 1_000;
  static final long RETRY_MAX_MILLIS = 30_000;

  private final PoolConfig config;
  private final Autoscaler autoscaler;
  private final NodeProvider provider;
  private final ClusterWatcher watcher;
  private final InstantSource clock;
  private final LongSupplier fencingToken;
  private final java.util.function.Function<List<NodeInfo>, Map<String, Double>> extraMetrics;
  private final ScheduledExecutorService timer;
  private final List<MetricsWindow.Sample> samples = new ArrayList<>();
  private final List<PoolState.ScaleEvent> history = new ArrayList<>();
  private final List<PoolState.Recommendation> recommendations = new ArrayList<>();
  private final ArrayDeque<DecisionRecord> log = new ArrayDeque<>();
  private final Set<String> leaving = ConcurrentHashMap.newKeySet();
  /** Provider nodes not (or no longer) in the registry, and since when. */
  private final Map<String, Instant> missingSince = new HashMap<>();
  private long requests;
  /** Launches asked for whose nodes the provider may not list yet. */
  private final java.util.concurrent.atomic.AtomicInteger launching =
      new java.util.concurrent.atomic.AtomicInteger();
  private final List<java.util.function.Consumer<List<DecisionRecord>>> logListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Nodes whose termination failed: when to try again, and how many tries so far. */
  private final Map<String, TerminateRetry> retries = new ConcurrentHashMap<>();
  private volatile java.util.function.BooleanSupplier leading = () -> true;

  private record TerminateRetry(Instant at, int failures) {}

  /** When each pool node was first seen READY (watch thread writes, timer thread reads). */
  private final Map<String, Instant> readySince = new ConcurrentHashMap<>();
  private volatile java.util.function.Supplier<Instant> demandAsOf;
  private volatile java.time.Duration demandSettle = java.time.Duration.ZERO;
  /** A node READY longer than this counts as up whatever the demand says. */
  static final java.time.Duration MAX_UNSEEN = java.time.Duration.ofSeconds(10);

  public PoolAutoscaler(
      PoolConfig config,
      Autoscaler autoscaler,
      NodeProvider provider,
      ClusterWatcher watcher,
      InstantSource clock,
      LongSupplier fencingToken) {
    this(config, autoscaler, provider, watcher, clock, fencingToken, nodes -> Map.of());
  }

  /**
   * With application metrics: {@code extraMetrics} gets the pool's READY nodes at each decision
   * and returns more values for the sample (e.g. a queue length the application knows); it runs
   * on the autoscaler's thread and must not block.
   */
  public PoolAutoscaler(
      PoolConfig config,
      Autoscaler autoscaler,
      NodeProvider provider,
      ClusterWatcher watcher,
      InstantSource clock,
      LongSupplier fencingToken,
      java.util.function.Function<List<NodeInfo>, Map<String, Double>> extraMetrics) {
    this.extraMetrics = extraMetrics;
    this.config = config;
    this.autoscaler = autoscaler;
    this.provider = provider;
    this.watcher = watcher;
    this.clock = clock;
    this.fencingToken = fencingToken;
    this.timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("tideflow-autoscaler-" + config.name()).factory());
  }

  /**
   * Tells the autoscaler how current the pending demand its policies read is: {@code asOf} says
   * when it was last known complete (e.g. {@link PendingDemand#asOf()}). A node that became READY
   * less than {@code settle} before that (time for clients to see it and place on it) still
   * counts as starting, so demand that its own arrival will place is not asked for again.
   */
  public PoolAutoscaler demandSeenAt(java.util.function.Supplier<Instant> asOf,
      java.time.Duration settle) {
    this.demandSettle = settle;
    this.demandAsOf = asOf;
    watcher.onChange(this::noteReady);
    noteReady(watcher.view());
    return this;
  }

  private void noteReady(ClusterView view) {
    Instant now = clock.instant();
    for (NodeInfo n : view.nodes()) {
      if (n.state() == NodeState.READY
          && config.name().equals(n.labels().get(PoolConfig.POOL_LABEL))) {
        readySince.putIfAbsent(n.id(), now);
      }
    }
    readySince.keySet().removeIf(id -> {
      NodeInfo n = view.node(id);
      return n == null || n.state() != NodeState.READY;
    });
  }

  /** Nodes counted in {@code current} that do not take work yet, or that demand has not seen. */
  private int starting(int current, List<NodeInfo> ready, Instant now) {
    java.util.function.Supplier<Instant> asOf = demandAsOf;
    List<Instant> since = new ArrayList<>(ready.size());
    for (NodeInfo n : ready) {
      since.add(readySince.get(n.id()));
    }
    return io.tideflow.core.autoscale.StartingNodes.count(current, since,
        asOf == null ? null : asOf.get(), demandSettle, MAX_UNSEEN, now);
  }

  /** Decides every {@link PoolConfig#interval()} from now on. */
  public PoolAutoscaler start() {
    long every = config.interval().toMillis();
    timer.scheduleWithFixedDelay(this::safeTick, every, every, TimeUnit.MILLISECONDS);
    return this;
  }

  private void safeTick() {
    try {
      tick();
    } catch (RuntimeException e) {
      // The loop must go on; a failed step is logged loudly and the next one tries again.
      LOG.log(Level.ERROR, "autoscaler step of pool " + config.name() + " failed", e);
    }
  }

  /**
   * Decides and acts only while {@code leading} says so (e.g. while this coordinator holds the
   * election); a standby keeps no log and touches no node.
   */
  public PoolAutoscaler onlyWhile(java.util.function.BooleanSupplier leading) {
    this.leading = leading;
    return this;
  }

  /**
   * One decision, carried out; null when not leading. Called by the timer; tests call it
   * directly.
   */
  public synchronized DecisionRecord tick() {
    if (!leading.getAsBoolean()) {
      return null;
    }
    Instant now = clock.instant();
    ClusterView view = watcher.view();
    retryTerminations(now);
    reapLost(view, now);
    List<NodeInfo> ready = poolNodes(view);
    MetricsWindow.Sample sample = sample(ready, now);
    Map<String, Double> extra = extraMetrics.apply(ready);
    if (!extra.isEmpty()) {
      Map<String, Double> merged = new HashMap<>(sample.values());
      merged.putAll(extra);
      sample = new MetricsWindow.Sample(now, merged);
    }
    samples.add(sample);
    samples.removeIf(s -> s.at().isBefore(now.minus(config.window())));
    int current = current();
    List<PoolState.PoolNode> nodes = new ArrayList<>();
    for (NodeInfo n : ready) {
      nodes.add(new PoolState.PoolNode(n.id(), n.load().inFlight() + n.load().queued(), false));
    }
    PoolState pool = new PoolState(config.name(), current, nodes, history, recommendations,
        starting(current, ready, now));
    Autoscaler.Step step = autoscaler.step(new MetricsWindow(samples), pool, now);
    if (step.recommendation() != null) {
      recommendations.add(step.recommendation());
      recommendations.removeIf(r -> r.at().isBefore(now.minus(config.window())));
    }
    remember(step.record());
    apply(step.decision().desired(), pool, now);
    if (!logListeners.isEmpty()) {
      List<DecisionRecord> all = decisions();
      logListeners.forEach(l -> l.accept(all));
    }
    return step.record();
  }

  private List<NodeInfo> poolNodes(ClusterView view) {
    List<NodeInfo> result = new ArrayList<>();
    for (NodeInfo n : view.nodes()) {
      if (config.name().equals(n.labels().get(PoolConfig.POOL_LABEL))
          && n.state() == NodeState.READY && !leaving.contains(n.id())) {
        result.add(n);
      }
    }
    return result;
  }

  private static MetricsWindow.Sample sample(List<NodeInfo> ready, Instant now) {
    Map<String, Double> values = new HashMap<>();
    long work = 0;
    double cpu = 0;
    int cpuReports = 0;
    for (NodeInfo n : ready) {
      work += n.load().inFlight() + n.load().queued();
      if (n.load().cpu() >= 0) {
        cpu += n.load().cpu();
        cpuReports++;
      }
    }
    values.put(CONCURRENCY, ready.isEmpty() ? 0.0 : (double) work / ready.size());
    if (cpuReports > 0) {
      values.put(MetricsWindow.CPU, cpu / cpuReports);
    }
    return new MetricsWindow.Sample(now, values);
  }

  /**
   * Terminates provider nodes that have been missing from the registry for longer than twice
   * their lease TTL (they died, or never came up), so the pool counts them no more and the
   * policy replaces them.
   */
  private void reapLost(ClusterView view, Instant now) {
    java.time.Duration grace = config.template().leaseTtl().multipliedBy(2);
    Set<String> provided = new java.util.HashSet<>();
    for (ProvidedNode p : provider.nodes()) {
      if (!p.template().equals(config.template().name()) || leaving.contains(p.nodeId())
          || p.status() == ProvidedNode.Status.LAUNCHING) {
        continue; // a launching node registers when it is up; the provider times launches out
      }
      provided.add(p.nodeId());
      if (view.node(p.nodeId()) != null) {
        missingSince.remove(p.nodeId());
        continue;
      }
      Instant since = missingSince.computeIfAbsent(p.nodeId(), id -> now);
      if (since.plus(grace).isBefore(now)) {
        LOG.log(Level.WARNING, "pool " + config.name() + ": node " + p.nodeId()
            + " missing from the registry since " + since + ": terminating it");
        missingSince.remove(p.nodeId());
        leaving.add(p.nodeId());
        terminate(p.nodeId(), "lost", 0);
      }
    }
    missingSince.keySet().retainAll(provided);
  }

  /** Nodes of this pool the provider runs or is starting, less those on their way out. */
  private int current() {
    int n = 0;
    for (ProvidedNode p : provider.nodes()) {
      if (p.template().equals(config.template().name())
          && (p.status() == ProvidedNode.Status.LAUNCHING
              || p.status() == ProvidedNode.Status.RUNNING)
          && !leaving.contains(p.nodeId())) {
        n++;
      }
    }
    return n;
  }

  private void apply(int desired, PoolState pool, Instant now) {
    int current = pool.current();
    if (desired > current) {
      if (launching.get() > 0) {
        return; // the last launch is not visible yet: launching again would overshoot
      }
      launching.incrementAndGet();
      history.add(new PoolState.ScaleEvent(now, current, desired));
      provider.launch(config.template(), desired - current, requestId("up"))
          .whenComplete((r, e) -> {
            launching.decrementAndGet();
            if (e != null || !r.ok()) {
              LOG.log(Level.WARNING, "pool " + config.name() + " launch failed: "
                  + (e != null ? e : r.errors()));
            }
          });
    } else if (desired < current) {
      List<String> victims = ScaleDownSelector.select(pool, current - desired).nodes();
      if (victims.isEmpty()) {
        return;
      }
      history.add(new PoolState.ScaleEvent(now, current, current - victims.size()));
      for (String id : victims) {
        retire(id);
      }
    }
  }

  /** Drains one node, then terminates it; its tasks finish first (or move on at the timeout). */
  private void retire(String nodeId) {
    leaving.add(nodeId);
    NodeInfo node = watcher.view().node(nodeId);
    String request = requestId("down-" + nodeId);
    if (node == null) {
      terminate(nodeId, "down", 0);
      return;
    }
    NodeDrainer.drain(node.address(), config.drainTimeout(), fencingToken.getAsLong())
        .handle((reply, error) -> {
          if (error != null && io.grpc.Status.fromThrowable(error).getCode()
              == io.grpc.Status.Code.FAILED_PRECONDITION) {
            // Our fencing token is stale: a newer coordinator leads and owns this node now.
            LOG.log(Level.WARNING, "drain of " + nodeId + " refused: " + error.getMessage());
            return java.util.concurrent.CompletableFuture.<Void>completedFuture(null);
          }
          if (error != null) {
            LOG.log(Level.WARNING, "drain of " + nodeId + " failed, terminating anyway: " + error);
          }
          return provider.terminate(List.of(nodeId), request);
        })
        .thenCompose(f -> f)
        .whenComplete((v, e) -> terminated(nodeId, e, 0));
  }

  /** Terminates {@code nodeId} (already in {@link #leaving}); on failure, tries again later. */
  private void terminate(String nodeId, String kind, int failures) {
    provider.terminate(List.of(nodeId), requestId(kind + "-" + nodeId))
        .whenComplete((v, e) -> terminated(nodeId, e, failures));
  }

  private void terminated(String nodeId, Throwable error, int failuresBefore) {
    if (error == null) {
      retries.remove(nodeId);
      leaving.remove(nodeId);
      return;
    }
    int failures = failuresBefore + 1;
    long backoff = Math.min(RETRY_MAX_MILLIS, RETRY_FIRST_MILLIS << Math.min(failures - 1, 20));
    retries.put(nodeId, new TerminateRetry(clock.instant().plusMillis(backoff), failures));
    LOG.log(Level.WARNING, "pool " + config.name() + ": terminating " + nodeId + " failed ("
        + failures + " time(s)), trying again in " + backoff + " ms: " + error);
  }

  private void retryTerminations(Instant now) {
    for (Map.Entry<String, TerminateRetry> e : retries.entrySet()) {
      TerminateRetry r = e.getValue();
      if (!r.at().isAfter(now) && retries.remove(e.getKey(), r)) {
        terminate(e.getKey(), "retry", r.failures());
      }
    }
  }

  /** Nodes whose termination failed and is tried again, with how many times it failed. */
  public Map<String, Integer> terminationRetries() {
    Map<String, Integer> result = new HashMap<>();
    retries.forEach((id, r) -> result.put(id, r.failures()));
    return result;
  }

  private String requestId(String kind) {
    return config.name() + "-" + kind + "-" + (++requests) + "-" + clock.millis();
  }

  private void remember(DecisionRecord record) {
    synchronized (log) {
      log.addLast(record);
      while (log.size() > config.logSize()) {
        log.removeFirst();
      }
    }
  }

  /**
   * Calls {@code listener} with the whole decision log after each decision, on the autoscaler's
   * thread (e.g. to publish it with {@link DecisionLogs#publish}); it must not block.
   */
  public PoolAutoscaler onDecisionLog(java.util.function.Consumer<List<DecisionRecord>> listener) {
    logListeners.add(listener);
    return this;
  }

  /** The decision log, oldest first. */
  public List<DecisionRecord> decisions() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  /** Nodes being drained for removal. */
  public Set<String> leaving() {
    return Set.copyOf(leaving);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
