package io.tideflow.runtime.flow;

import io.tideflow.core.flow.Flow;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.PrefixWatch;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A node's side of deployed flows (the state syncer): watches the placements the leading
 * coordinator writes and runs this node's instances of each on its {@link FlowNode}. When a new
 * placement of a running flow moves instances (their node died), it tells the node's senders and
 * receivers where they went and starts those that came here; when a flow's placement is deleted
 * (undeployed), it stops the flow's instances here. When an instance here fails, it writes the
 * deployment's failure ({@link ClusterKeys#flowFailure}); every node that sees a failure of the
 * deployment it runs stops its instances of it and starts none of it again, so one failed instance
 * stops the whole flow rather than leave the others waiting on it. All of it on one thread, in the
 * order the records came, and once a second anyway in case a start or a write failed.
 *
 * <p>Instances move between live nodes (a node drains, or one joins) through paused placements
 * ({@link FlowRecords.Placement#paused}): the node holds its sources still and answers ({@link
 * ClusterKeys#flowHandover}) once all they wrote is safe, which means nothing is in flight anywhere
 * in the flow; given the placement that follows, it stops the executions that lose an instance,
 * starts again what they keep together with what came here, sources still held, and answers again;
 * the placement after that lets the sources go. So a handover neither loses nor repeats a message.
 */
public final class FlowAgent implements AutoCloseable {
  private static final Logger LOG = System.getLogger(FlowAgent.class.getName());

  /**
   * How often a node reports what its instances of each flow did ({@link ClusterKeys#flowStats}).
   */
  public static final Duration STATS_PERIOD = Duration.ofSeconds(2);

  private final ClusterStore store;
  private final FlowNode node;
  private final Duration timeout;
  private final LongSupplier lease;
  private final ScheduledExecutorService loop;
  private final Map<String, FlowRecords.Placement> placements = new ConcurrentHashMap<>();
  private final Map<String, FlowRecords.Failure> failures = new ConcurrentHashMap<>();
  private final Map<String, Running> running = new HashMap<>();
  private PrefixWatch watch;
  private PrefixWatch failureWatch;
  // Instances the placements put here, of flows not failed: what a drain waits to see at 0.
  private volatile int placedHere;
  private boolean recheckScheduled;

  /** How often a node looks again whether its sources are quiescent, while it has not answered. */
  static final long RECHECK_MILLIS = 20;

  /** A flow this node follows: the placement it acted on last and what it started for it. */
  private static final class Running {
    final Flow flow;
    final long deployedAtMillis;
    Map<String, String> nodes;
    long epoch;
    // The placement acted on last is paused; whether it names a target; whether this node has
    // answered it (ClusterKeys#flowHandover).
    boolean paused;
    boolean handingOver;
    boolean answered;
    boolean involved;
    final List<FlowExecution> executions = new ArrayList<>();
    // Failed (here or elsewhere): stopped here, and nothing of this deployment starts again.
    boolean failed;
    // A failure of an instance here not written to the store yet.
    FlowRecords.Failure unreported;
    // The counters of the last stats report, and when they were read (System.nanoTime()).
    List<InstanceStats> lastStats;
    long lastStatsAt;
    boolean statsWritten;

    Running(Flow flow, long deployedAtMillis) {
      this.flow = flow;
      this.deployedAtMillis = deployedAtMillis;
    }
  }

  private FlowAgent(ClusterStore store, FlowNode node, Duration timeout, LongSupplier lease) {
    this.store = store;
    this.node = node;
    this.timeout = timeout;
    this.lease = lease;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("flow-agent-" + node.nodeId()).unstarted(r));
  }

  /**
   * Follows the placements in {@code store} for {@code node}.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read in time
   */
  public static FlowAgent start(ClusterStore store, FlowNode node, Duration timeout) {
    return start(store, node, timeout, () -> 0L);
  }

  /**
   * As {@link #start(ClusterStore, FlowNode, Duration)}, reporting every {@link #STATS_PERIOD} what
   * this node's instances did, under the lease {@code lease} gives (the node's: the reports go with
   * it).
   */
  public static FlowAgent start(
      ClusterStore store, FlowNode node, Duration timeout, LongSupplier lease) {
    node.states(FlowStateStore.over(store));
    FlowAgent agent = new FlowAgent(store, node, timeout, lease);
    agent.watch =
        agent.follow(ClusterKeys.PLACEMENTS, agent.placements, FlowAgent::decodePlacement);
    agent.failureWatch =
        agent.follow(ClusterKeys.FLOW_FAILURES, agent.failures, FlowAgent::decodeFailure);
    agent.loop.scheduleWithFixedDelay(agent::reconcileQuietly, 1, 1, TimeUnit.SECONDS);
    long every = STATS_PERIOD.toMillis();
    agent.loop.scheduleWithFixedDelay(agent::reportStats, every, every, TimeUnit.MILLISECONDS);
    return agent;
  }

  /**
   * Keeps {@code into} equal to the records under {@code prefix}, by flow, reconciling on change.
   */
  private <T> PrefixWatch follow(
      String prefix,
      Map<String, T> into,
      java.util.function.Function<KeyValue, Optional<T>> decode) {
    return PrefixWatch.start(
        store,
        prefix,
        timeout,
        Clock.systemUTC(),
        PrefixWatch.DEFAULT_BACKOFF,
        new PrefixWatch.Sink() {
          @Override
          public void onSnapshot(ClusterStore.Snapshot snapshot, boolean restart) {
            Map<String, T> all = new HashMap<>();
            for (KeyValue kv : snapshot.kvs()) {
              decode.apply(kv).ifPresent(r -> all.put(kv.key().substring(prefix.length()), r));
            }
            into.keySet().retainAll(all.keySet());
            into.putAll(all);
            loop.execute(FlowAgent.this::reconcileQuietly);
          }

          @Override
          public void onEvents(List<ClusterStore.WatchEvent> events) {
            for (ClusterStore.WatchEvent e : events) {
              String flow = e.kv().key().substring(prefix.length());
              if (e.type() == ClusterStore.WatchEvent.Type.DELETE) {
                into.remove(flow);
              } else {
                decode.apply(e.kv()).ifPresent(r -> into.put(flow, r));
              }
            }
            loop.execute(FlowAgent.this::reconcileQuietly);
          }
        });
  }

  private static Optional<FlowRecords.Placement> decodePlacement(KeyValue kv) {
    try {
      return Optional.of(FlowRecords.decodePlacement(kv.value()));
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, "placement " + kv.key() + " does not decode: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<FlowRecords.Failure> decodeFailure(KeyValue kv) {
    try {
      return Optional.of(FlowRecords.decodeFailure(kv.value()));
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, "flow failure " + kv.key() + " does not decode: " + e.getMessage());
      return Optional.empty();
    }
  }

  private void reconcileQuietly() {
    try {
      reconcile();
    } catch (RuntimeException e) {
      // The store failed, or a flow could not start here: the next pass tries again.
      LOG.log(Level.WARNING, "node " + node.nodeId() + ": following flows failed: " + e);
    }
  }

  /** The flows this node runs instances of, by name. */
  public Set<String> flows() {
    return Set.copyOf(placements.keySet());
  }

  private void reconcile() {
    for (FlowRecords.Placement p : placements.values()) {
      Running r = running.get(p.flow());
      if (r != null && r.epoch >= p.epoch()) {
        continue;
      }
      Optional<KeyValue> kv =
          StoreCalls.await(store.get(ClusterKeys.flow(p.flow())), timeout, "get flow " + p.flow());
      if (kv.isEmpty()) {
        continue; // undeployed; its placement goes next
      }
      FlowRecords.Deployed d = FlowRecords.decode(kv.get().value());
      if (d.deployedAtMillis() != p.deployedAtMillis()) {
        continue; // deployed again since this placement: the leader places the new deployment
      }
      if (r != null && r.deployedAtMillis != d.deployedAtMillis()) {
        stop(r);
        running.remove(p.flow());
        r = null;
      }
      if (r == null) {
        r = new Running(d.flow(), d.deployedAtMillis());
        r.failed = failedElsewhere(r);
        if (!r.failed && p.nodes().containsValue(node.nodeId())) {
          start(r, p.nodes(), null, p.paused());
        }
        LOG.log(
            Level.INFO,
            "node " + node.nodeId() + " runs flow " + p.flow() + " (epoch " + p.epoch() + ")");
      } else if (!r.failed) {
        follow(r, p);
      }
      r.nodes = p.nodes();
      r.epoch = p.epoch();
      r.paused = p.paused();
      r.handingOver = p.handingOver();
      r.involved =
          p.nodes().containsValue(node.nodeId()) || p.target().containsValue(node.nodeId());
      r.answered = false;
      running.put(p.flow(), r);
    }
    for (Running r : running.values()) {
      if (!r.failed && failedElsewhere(r)) {
        r.failed = true;
        stop(r);
        FlowRecords.Failure f = failures.get(r.flow.name());
        LOG.log(
            Level.WARNING,
            "node "
                + node.nodeId()
                + " stopped flow "
                + r.flow.name()
                + ": instance "
                + f.instance()
                + " failed on "
                + f.node());
      }
      if (r.unreported != null) {
        report(r);
      }
    }
    for (String flow : new HashSet<>(running.keySet())) {
      if (!placements.containsKey(flow)) {
        stop(running.remove(flow));
        LOG.log(Level.INFO, "node " + node.nodeId() + " stopped flow " + flow + ": undeployed");
      }
    }
    int here = 0;
    for (Running r : running.values()) {
      if (!r.failed) {
        answer(r);
        here += (int) r.nodes.values().stream().filter(node.nodeId()::equals).count();
      }
    }
    placedHere = here;
  }

  /**
   * Answers a paused placement once this node did what it asks: with a target, its sources hold
   * still with all they wrote safe; without, it runs what the placement puts here (it does by now).
   * Looks again shortly while the sources are not there yet.
   */
  private void answer(Running r) {
    if (!r.paused || r.answered || !r.involved) {
      return;
    }
    if (r.handingOver && !r.executions.stream().allMatch(FlowExecution::quiescent)) {
      recheckSoon();
      return;
    }
    FlowRecords.HandoverDone done =
        new FlowRecords.HandoverDone(r.flow.name(), r.deployedAtMillis, r.epoch, node.nodeId());
    try {
      StoreCalls.await(
          store.put(
              ClusterKeys.flowHandover(r.flow.name(), node.nodeId()),
              FlowRecords.encode(done),
              lease.getAsLong()),
          timeout,
          "answer the handover of " + r.flow.name());
      r.answered = true;
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "node " + node.nodeId() + ": handover of " + r.flow.name() + " not answered: " + e);
      recheckSoon();
    }
  }

  private void recheckSoon() {
    if (!recheckScheduled) {
      recheckScheduled = true;
      loop.schedule(
          () -> {
            recheckScheduled = false;
            reconcileQuietly();
          },
          RECHECK_MILLIS,
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * How many instances the placements put on this node, of flows that have not failed: 0 once a
   * draining node has handed all of its instances over.
   */
  public int instancesHere() {
    return placedHere;
  }

  /**
   * Acts on a new placement of a flow that runs: where instances went, and those that came here.
   */
  private void follow(Running r, FlowRecords.Placement p) {
    Set<String> here = new HashSet<>();
    Set<String> left = new HashSet<>();
    for (Map.Entry<String, String> e : p.nodes().entrySet()) {
      String was = r.nodes.get(e.getKey());
      if (!e.getValue().equals(was)) {
        node.moved(r.flow, r.deployedAtMillis, e.getKey(), e.getValue());
        if (e.getValue().equals(node.nodeId())) {
          here.add(e.getKey());
        }
        if (node.nodeId().equals(was)) {
          left.add(e.getKey());
        }
      }
    }
    if (!left.isEmpty()) {
      // A live instance moved away (a handover, the flow quiesced): its channels with the instances
      // that stay are wired into their execution, which starts again without it.
      Set<String> kept = new HashSet<>();
      for (java.util.Iterator<FlowExecution> it = r.executions.iterator(); it.hasNext(); ) {
        FlowExecution e = it.next();
        Set<String> ids = e.instances();
        if (!java.util.Collections.disjoint(ids, left)) {
          e.stop();
          it.remove();
          ids.removeAll(left);
          kept.addAll(ids);
        }
      }
      LOG.log(
          Level.INFO, "node " + node.nodeId() + " handed over " + left + " of flow " + p.flow());
      here.addAll(kept);
    }
    if (!here.isEmpty()) {
      start(r, p.nodes(), here, p.paused());
      LOG.log(Level.INFO, "node " + node.nodeId() + " took up " + here + " of flow " + p.flow());
    }
    for (FlowExecution e : r.executions) {
      e.pause(p.paused());
    }
  }

  private void start(Running r, Map<String, String> nodes, Set<String> only, boolean paused) {
    FlowExecution e = node.start(r.flow, r.deployedAtMillis, nodes, only, paused);
    r.executions.add(e);
    e.completion()
        .whenComplete(
            (ok, t) -> {
              Throwable cause =
                  t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
              if (cause instanceof FlowFailedException failed) {
                loop.execute(() -> failedHere(r, failed));
              }
            });
  }

  private boolean failedElsewhere(Running r) {
    FlowRecords.Failure f = failures.get(r.flow.name());
    return f != null && f.deployedAtMillis() == r.deployedAtMillis;
  }

  /** An instance here failed: stop the rest of the flow here and tell every node. */
  private void failedHere(Running r, FlowFailedException failure) {
    if (running.get(r.flow.name()) != r || r.failed) {
      return; // stopped meanwhile, or a failure is known already
    }
    r.failed = true;
    stop(r);
    r.unreported =
        new FlowRecords.Failure(
            r.flow.name(),
            r.deployedAtMillis,
            failure.instance(),
            node.nodeId(),
            String.valueOf(failure.getCause()),
            System.currentTimeMillis());
    LOG.log(
        Level.WARNING,
        "node " + node.nodeId() + ": flow " + r.flow.name() + " failed: " + failure.getMessage());
    report(r);
  }

  /** Writes the failure of an instance here, unless a failure of the deployment is known. */
  private void report(Running r) {
    FlowRecords.Failure f = r.unreported;
    try {
      if (!failedElsewhere(r)) {
        StoreCalls.await(
            store.put(ClusterKeys.flowFailure(f.flow()), FlowRecords.encode(f), 0),
            timeout,
            "put failure of " + f.flow());
      }
      r.unreported = null;
    } catch (RuntimeException e) {
      // The store did not take it: the next pass writes it again.
      LOG.log(
          Level.WARNING,
          "node " + node.nodeId() + ": failure of " + f.flow() + " not written: " + e);
    }
  }

  private void stop(Running r) {
    for (FlowExecution e : r.executions) {
      e.stop();
    }
    forgetStats(r);
  }

  /**
   * Writes what this node's instances of each flow did since the last report: rates, the busy /
   * backpressured / idle split, what waits in their inputs. The loop's thread.
   */
  private void reportStats() {
    for (Running r : running.values()) {
      if (r.failed || r.executions.isEmpty()) {
        continue;
      }
      List<InstanceStats> now = new ArrayList<>();
      for (FlowExecution e : r.executions) {
        now.addAll(e.stats());
      }
      long at = System.nanoTime();
      List<InstanceStats> before = r.lastStats;
      long period = at - r.lastStatsAt;
      r.lastStats = now;
      r.lastStatsAt = at;
      if (before == null || period <= 0) {
        continue; // rates need two looks
      }
      FlowRecords.NodeStats stats =
          new FlowRecords.NodeStats(
              r.flow.name(),
              r.deployedAtMillis,
              node.nodeId(),
              System.currentTimeMillis(),
              TimeUnit.NANOSECONDS.toMillis(period),
              InstanceTimes.instances(before, now, period));
      try {
        StoreCalls.await(
            store.put(
                ClusterKeys.flowStats(r.flow.name(), node.nodeId()),
                FlowRecords.encode(stats),
                lease.getAsLong()),
            timeout,
            "put stats of " + r.flow.name());
        r.statsWritten = true;
      } catch (RuntimeException e) {
        // The store is away, or the lease is being renewed: the next period reports again.
        LOG.log(Level.DEBUG, "node " + node.nodeId() + ": stats of " + r.flow.name() + ": " + e);
      }
    }
  }

  /** The flow stopped here: its report goes (the lease would take it with the node anyway). */
  private void forgetStats(Running r) {
    r.lastStats = null;
    if (r.statsWritten) {
      r.statsWritten = false;
      store
          .delete(ClusterKeys.flowStats(r.flow.name(), node.nodeId()))
          .exceptionally(
              e -> {
                LOG.log(Level.DEBUG, "stats of " + r.flow.name() + " not deleted: " + e);
                return false;
              });
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
    if (failureWatch != null) {
      failureWatch.close();
    }
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    running.values().forEach(this::stop);
  }
}
