package io.tideflow.runtime.coordinator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.runtime.membership.WatchHealths;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import io.tideflow.store.Lease;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A candidate for coordinator. Any node may stand; the store's election picks one. The leader
 * watches membership: it logs joins, state changes and departures, and records a node whose lease
 * ended as GONE under {@link ClusterKeys#GONE} (the newest {@value #GONE_KEPT} are kept). When the
 * leader dies its lease expires and another candidate takes over. The coordinator is not on the
 * task path: tasks flow while no one leads.
 *
 * <p>Leadership ends only when the store says so (the lease or the leader key is gone there). While
 * the store cannot confirm the lease the leader stays leader but {@link #mayAct()} is false: it
 * must hold its actions, since another may lead by now. Its own writes are fenced in the store
 * ({@link Leadership#put}), so even an action that slips through late is refused there.
 */
public final class Coordinator implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Coordinator.class.getName());
  static final int GONE_KEPT = 100;
  private static final Duration HEALTH_INTERVAL = Duration.ofSeconds(1);

  private final String candidate;
  private final ClusterStore store;
  private final Duration leaseTtl;
  private final Duration storeTimeout;
  private final MeterRegistry metrics;
  private final List<Consumer<MembershipEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Thread campaigner;
  private volatile Leadership leadership;
  private volatile Lease leadershipLease;
  private volatile ClusterWatcher watcher;
  private volatile ClusterView lastView = ClusterView.empty();

  /** The current leadership's {@code lost()}, taken once: each call of it makes a new future. */
  private volatile CompletableFuture<Void> leadershipLost;

  private final List<Consumer<Boolean>> leadershipListeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** Publishes the leader's watch health for {@code tideflow status} every second. */
  private final ScheduledExecutorService healthTimer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("tideflow-coordinator-health").factory());

  private volatile ScheduledFuture<?> publishing;

  private final NodeMeters nodeMeters;

  /** Every client's task counts, while this candidate leads. */
  private volatile ClientTaskMeters clientMeters;

  /** Nodes this candidate, leading, saw leave the registry without being drained first. */
  private final Counter lost;

  /** A change in membership the leader saw. */
  public record MembershipEvent(String nodeId, NodeState from, NodeState to, long fencingToken) {}

  private Coordinator(
      String candidate,
      ClusterStore store,
      Duration leaseTtl,
      Duration storeTimeout,
      MeterRegistry metrics) {
    this.candidate = candidate;
    this.metrics = metrics;
    this.store = store;
    this.leaseTtl = leaseTtl;
    this.storeTimeout = storeTimeout;
    this.campaigner =
        Thread.ofPlatform().daemon().name("tideflow-coordinator-" + candidate).unstarted(this::run);
    this.nodeMeters = new NodeMeters(metrics);
    this.lost =
        Counter.builder("tideflow.coordinator.nodes.lost")
            .tag("candidate", candidate)
            .description("Nodes that left the registry undrained while this candidate led")
            .register(metrics);
  }

  /** Stands {@code candidate} for coordinator; returns at once, leading happens in background. */
  public static Coordinator start(
      String candidate,
      ClusterStore store,
      Duration leaseTtl,
      Duration storeTimeout,
      MeterRegistry metrics) {
    Coordinator c = new Coordinator(candidate, store, leaseTtl, storeTimeout, metrics);
    Gauge.builder("tideflow.coordinator.leader", c, x -> x.isLeader() ? 1 : 0)
        .tag("candidate", candidate)
        .description("1 while this candidate leads")
        .register(metrics);
    c.campaigner.start();
    return c;
  }

  private void run() {
    while (!closed) {
      try {
        Lease lease = StoreCalls.await(store.grantLease(leaseTtl), storeTimeout, "grant lease");
        Leadership won =
            awaitInterruptibly(store.campaign(ClusterKeys.COORDINATOR_ELECTION, candidate, lease));
        CompletableFuture<Void> lost = won.lost();
        leadershipLease = lease;
        if (!lead(won, lost)) {
          stepDown(won, lease);
          pause();
          continue;
        }
        awaitInterruptibly(lost);
        if (closed) {
          return;
        }
        LOG.log(Level.WARNING, "coordinator " + candidate + " lost leadership");
        stopLeading();
        lease.revoke();
      } catch (InterruptedException e) {
        return; // closed
      } catch (RuntimeException | ExecutionException e) {
        if (closed) {
          return;
        }
        // The store is away or the lease ended mid-campaign: stand again after a pause.
        LOG.log(Level.WARNING, "coordinator " + candidate + " campaign failed: " + e);
        pause();
      }
    }
  }

  /** Unlike join(), wakes up when {@link #close()} interrupts the campaigner. */
  private static <T> T awaitInterruptibly(CompletableFuture<T> future)
      throws InterruptedException, ExecutionException {
    return future.get();
  }

  /** Waits before standing again; {@link #close()} cuts the wait short. */
  private void pause() {
    try {
      stopped.await(Math.min(1000, leaseTtl.toMillis() / 2), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  /**
   * Takes up {@code won}; false when the store failed on the way, with leadership already set, so
   * the caller must step down rather than hold a leadership that does nothing.
   */
  private boolean lead(Leadership won, CompletableFuture<Void> lost) {
    leadershipLost = lost;
    leadership = won;
    LOG.log(
        Level.INFO,
        "coordinator " + candidate + " leads (fencing token " + won.fencingToken() + ")");
    ClusterWatcher w;
    try {
      w =
          ClusterWatcher.start(
              store,
              storeTimeout,
              InstantSource.system(),
              ClusterWatcher.DEFAULT_BACKOFF,
              metrics,
              "coordinator-" + candidate);
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "coordinator " + candidate + " could not read membership after winning: " + e);
      return false;
    }
    lastView = ClusterView.empty();
    watcher = w;
    try {
      clientMeters = ClientTaskMeters.follow(store, storeTimeout, metrics);
    } catch (RuntimeException e) {
      // Meters only: leading goes on without them until the next leadership.
      LOG.log(
          Level.WARNING,
          "coordinator " + candidate + " leads without the clients' task counts: " + e);
    }
    WatchHealths.Publisher health = new WatchHealths.Publisher("coordinator", candidate, w::health);
    publishing =
        healthTimer.scheduleWithFixedDelay(
            () -> publishHealth(health, won), 0, HEALTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    observe(w.view());
    w.onChange(this::observe);
    leadershipListeners.forEach(l -> l.accept(true));
    return true;
  }

  /**
   * Gives up a leadership that could not be taken up: resigns and revokes the lease, so a standby
   * can win at once instead of after the lease's TTL, and tells listeners this candidate does not
   * lead. The campaign then starts again.
   */
  private void stepDown(Leadership won, Lease lease) {
    stopLeading();
    try {
      StoreCalls.await(won.resign(), storeTimeout, "resign");
    } catch (RuntimeException e) {
      // Revoking the lease below ends the leadership too; failing that, its TTL does.
      LOG.log(Level.WARNING, "coordinator " + candidate + " could not resign: " + e);
    }
    try {
      StoreCalls.await(lease.revoke(), storeTimeout, "revoke lease");
    } catch (RuntimeException e) {
      // The lease then expires within its TTL, which ends the leadership as well.
      LOG.log(Level.WARNING, "coordinator " + candidate + " could not revoke its lease: " + e);
    }
  }

  /** Timer thread: a failed write is logged and tried again; the timer must go on. */
  private void publishHealth(WatchHealths.Publisher health, Leadership won) {
    try {
      health
          .publish(won)
          .exceptionally(
              e -> {
                LOG.log(Level.DEBUG, "could not publish watch health: " + e.getMessage());
                return false;
              });
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not publish watch health: " + e.getMessage());
    }
  }

  private void stopLeading() {
    nodeMeters.clear();
    ClientTaskMeters c = clientMeters;
    clientMeters = null;
    if (c != null) {
      c.close();
    }
    ScheduledFuture<?> p = publishing;
    if (p != null) {
      p.cancel(false);
    }
    leadership = null;
    ClusterWatcher w = watcher;
    watcher = null;
    if (w != null) {
      w.close();
    }
    leadershipListeners.forEach(l -> l.accept(false));
  }

  /**
   * Calls {@code listener} with true when this candidate starts leading and false when it stops
   * (lost or closed), on the coordinator's thread: it must hand long work to a thread of its own.
   */
  public void onLeadershipChange(Consumer<Boolean> listener) {
    leadershipListeners.add(listener);
  }

  private synchronized void observe(ClusterView view) {
    Leadership l = leadership;
    if (l == null) {
      return;
    }
    ClusterView before = lastView;
    for (NodeInfo node : view.nodes()) {
      NodeInfo old = before.node(node.id());
      NodeState from = old == null ? null : old.state();
      if (from != node.state()) {
        announce(new MembershipEvent(node.id(), from, node.state(), l.fencingToken()));
      }
    }
    for (NodeInfo old : before.nodes()) {
      if (view.node(old.id()) == null) {
        announce(new MembershipEvent(old.id(), old.state(), NodeState.GONE, l.fencingToken()));
        if (old.state() != NodeState.DRAINING) {
          lost.increment(); // it left without being drained: it died, hung or was cut off
        }
        recordGone(l, old);
      }
    }
    lastView = view;
    nodeMeters.show(view);
  }

  private void announce(MembershipEvent e) {
    LOG.log(
        Level.INFO,
        "node " + e.nodeId() + ": " + (e.from() == null ? "joined" : e.from()) + " -> " + e.to());
    for (Consumer<MembershipEvent> l : listeners) {
      l.accept(e);
    }
  }

  private void recordGone(Leadership l, NodeInfo node) {
    NodeInfo gone = node.state() == NodeState.GONE ? node : node.withState(NodeState.GONE);
    l.put(ClusterKeys.gone(node.id()), NodeRecords.encode(gone))
        .thenCompose(
            written -> {
              if (!written) {
                LOG.log(
                    Level.INFO,
                    "not recording node " + node.id() + " as gone: no longer the leader");
                return CompletableFuture.completedFuture(null);
              }
              return store.list(ClusterKeys.GONE).thenAccept(snapshot -> trimGone(l, snapshot));
            })
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                LOG.log(Level.WARNING, "could not record node " + node.id() + " as gone: " + e);
              }
            });
  }

  private void trimGone(Leadership l, ClusterStore.Snapshot snapshot) {
    List<KeyValue> kvs = snapshot.kvs();
    if (kvs.size() <= GONE_KEPT) {
      return;
    }
    kvs.stream()
        .sorted(Comparator.comparingLong(KeyValue::modRevision))
        .limit(kvs.size() - GONE_KEPT)
        .forEach(kv -> l.delete(kv.key()));
  }

  /** Calls {@code listener} with each membership change seen while leading (on a store thread). */
  public void onMembershipChange(Consumer<MembershipEvent> listener) {
    listeners.add(listener);
  }

  public boolean isLeader() {
    CompletableFuture<Void> lost = leadershipLost;
    return leadership != null && lost != null && !lost.isDone();
  }

  /**
   * True while this candidate leads and the store confirms its lease: the leader may act (launch,
   * drain, terminate). While the store is away it stays leader but must hold its actions, since its
   * lease may have ended there and another may lead.
   */
  public boolean mayAct() {
    Lease lease = leadershipLease;
    return isLeader() && lease != null && lease.confirmed();
  }

  /**
   * The current leadership, if this candidate leads; for fenced writes ({@link Leadership#put}).
   */
  public java.util.Optional<Leadership> leadership() {
    return isLeader() ? java.util.Optional.ofNullable(leadership) : java.util.Optional.empty();
  }

  /** The fencing token of the current leadership, or -1 when not leading. */
  public long fencingToken() {
    Leadership l = leadership;
    return l == null ? -1 : l.fencingToken();
  }

  public String candidate() {
    return candidate;
  }

  /** Resigns if leading and stops standing. */
  @Override
  public void close() {
    closed = true;
    stopped.countDown();
    Leadership l = leadership;
    stopLeading();
    if (l != null) {
      try {
        StoreCalls.await(l.resign(), storeTimeout, "resign");
      } catch (RuntimeException e) {
        // Leadership then ends when the lease expires, within its TTL.
        LOG.log(Level.WARNING, "coordinator " + candidate + " could not resign: " + e);
      }
    }
    campaigner.interrupt();
    healthTimer.shutdownNow();
  }
}
