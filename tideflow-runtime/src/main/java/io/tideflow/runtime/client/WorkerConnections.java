package io.tideflow.runtime.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.balance.Balancer;
import io.tideflow.core.balance.Endpoint;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.placement.LiveLoad;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.transport.WriteLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The client's streams to the workers, kept in step with the registry: one {@link WorkerConnection}
 * per READY node, opened when the node appears, retired (no new tasks, closed once what is in
 * flight has come back) when it stops being READY, and severed (what is in flight placed again)
 * when it leaves the registry: its lease ended, so it is dead, hung or cut off even if its socket
 * is still open.
 *
 * <p>A node that leaves the registry while its stream is alive (it was heard from within {@link
 * #REJOIN_GRACE}: a worker holding tasks sends a heartbeat every 500 ms) is given that grace before
 * its connection is severed, and gets no new task meanwhile. A worker whose lease the store ended
 * while it kept running (a frozen or re-elected etcd ends leases it should have kept) registers
 * again under a new lease at once; if it is back at the same address within the grace, its stream
 * is taken up again and what it holds is answered where it runs, instead of running twice. A node
 * that does not come back, comes back elsewhere or whose stream broke meanwhile is severed as
 * before. A node that left holding tasks and silent for longer than the grace is hung or cut off:
 * it is severed at once, so the grace never delays moving a hung node's tasks.
 *
 * <p>A node whose connection broke or that turned a task back is left alone for {@link
 * ClientConfig#reconnectBackoff()}, longer after each such failure in a row, before it is dialled
 * again; the count starts afresh once a stream to the node is answered.
 *
 * <p>A stream that stops making progress is judged by its own silence: a worker holding tasks
 * writes at least every 500 ms (results, or an empty batch as a heartbeat), so a connection that
 * holds tasks and has heard nothing for {@link #STALL_BOUND} is severed ({@link #severStalled}):
 * its worker stopped (SIGSTOP, a long pause) or the path to it died, whether or not it still renews
 * its lease. Behind that, HTTP/2 pings after 10 s of silence break a dead connection 3 s later
 * ({@link WorkerConnection}), and a node that stopped renewing its lease leaves the registry. A
 * task whose node keeps writing but never finishes it is bounded by the task's own timeout.
 *
 * <p>Ownership: every change to which connection serves which node, to the back-offs, to the
 * failure counts and to the balancer's endpoints happens under {@code lock}, which guards nothing
 * else and is never held across I/O (opening a stream only starts it). Callers are the registry
 * watcher's thread and the client's timer ({@link #reconcile}), and gRPC's event loops ({@link
 * #stopUsing}, {@link #broke}, {@link #answered}). The connection and back-off maps are concurrent,
 * so the dispatcher reads them ({@link #get}, {@link #usable}, {@link #reachable}) and the timer
 * prunes them without the lock. Holding the lock also serializes {@link Balancer#updateEndpoints},
 * as its contract asks.
 */
final class WorkerConnections {
  /** How long a connection of a node that left the registry waits for the node to rejoin. */
  static final Duration REJOIN_GRACE = Duration.ofSeconds(1);

  /**
   * How long a connection holding tasks may go without a message from its worker before it is
   * severed. A worker holding tasks writes at least every 500 ms (results or a heartbeat), so this
   * much silence means it stopped or its path died; as long as the default lease TTL, so a worker
   * cut off from one client is given up as soon as a hung one would be.
   */
  static final Duration STALL_BOUND = Duration.ofSeconds(3);

  private final Object lock = new Object();
  private final Map<String, WorkerConnection> connections = new ConcurrentHashMap<>();

  /** Nodes left alone until the given time; removed by {@link #prune} once it passed. */
  private final Map<String, Long> backoffUntil = new ConcurrentHashMap<>();

  /** Failures in a row per node, since a stream to it was last answered. Guarded by lock. */
  private final Map<String, Integer> failures = new HashMap<>();

  /** Connections that take no new tasks but still have some in flight (timeouts apply). */
  private final Set<WorkerConnection> retired = ConcurrentHashMap.newKeySet();

  /**
   * Connections of nodes that left the registry, with the time they were seen to leave; each is
   * taken up again if its node rejoins at the same address within {@link #REJOIN_GRACE}, severed
   * otherwise. Changed under lock; concurrent so {@link #all} and {@link #inFlight} read it.
   */
  private final Map<WorkerConnection, Long> departed = new ConcurrentHashMap<>();

  /** Sends task batches on a platform thread, whatever the application's threads are doing. */
  private final WriteLoop sender = new WriteLoop("tideflow-client-send").start();

  private final ClientConfig config;
  private final ClientClock clock;
  private final WorkerConnection.Listener listener;

  /** Null when the client places every task; otherwise told which nodes it may pick. */
  private final Balancer balancer;

  private final BooleanSupplier closed;
  private final LinkSecurity security;
  private final Counter backoffs;
  private final Counter severed;
  private final Counter resumed;
  private final Counter stalled;
  private final LiveLoad usable = new Usable();
  private final LiveLoad reachable = new Reachable();

  WorkerConnections(
      ClientConfig config,
      ClientClock clock,
      WorkerConnection.Listener listener,
      Balancer balancer,
      BooleanSupplier closed,
      MeterRegistry metrics,
      LinkSecurity security) {
    this.config = config;
    this.security = security;
    this.clock = clock;
    this.listener = listener;
    this.balancer = balancer;
    this.closed = closed;
    // A broken stream is expected (a node dies, restarts, is cut off): counted, not thrown.
    this.backoffs =
        Counter.builder("tideflow.client.backoffs")
            .description(
                "Times a node was left alone because its stream broke or it turned a task back")
            .register(metrics);
    // Expected too: a node hung or cut off with its socket open leaves the registry this way.
    this.severed =
        Counter.builder("tideflow.client.severed")
            .description("Streams broken off because their node left the registry")
            .register(metrics);
    this.stalled =
        Counter.builder("tideflow.client.stalled")
            .description("Streams broken off because their worker sent nothing while holding tasks")
            .register(metrics);
    for (String state : new String[] {"usable", "broken", "other"}) {
      io.micrometer.core.instrument.Gauge.builder(
              "tideflow.client.connections", this, w -> w.count(state))
          .tag("state", state)
          .description(
              "The client's streams to workers: usable (takes tasks), broken (backing off), other"
                  + " (opening, draining, retired)")
          .register(metrics);
    }
    this.resumed =
        Counter.builder("tideflow.client.resumed")
            .description(
                "Streams taken up again because their node rejoined the registry within the grace")
            .register(metrics);
  }

  /**
   * Severs every connection that holds tasks and has not heard from its worker for {@link
   * #STALL_BOUND}: what it holds is placed again, and its node is backed off as after a break. The
   * client's timer calls it. Silence is real time, not the client's clock: the worker's heartbeat
   * is.
   */
  void severStalled() {
    long now = System.nanoTime();
    List<WorkerConnection> silent = new ArrayList<>();
    for (WorkerConnection c : all()) {
      long quiet = now - c.lastHeardNanos();
      if (!c.broken() && c.inFlight() > 0 && quiet >= STALL_BOUND.toNanos()) {
        silent.add(c);
      }
    }
    for (WorkerConnection c : silent) {
      stalled.increment();
      c.sever(
          new IllegalStateException(
              "node "
                  + c.nodeId()
                  + " sent nothing for "
                  + STALL_BOUND.toMillis()
                  + " ms while holding "
                  + c.inFlight()
                  + " task(s): hung or cut off"));
    }
  }

  /** The current connection to {@code nodeId}, or null. */
  WorkerConnection get(String nodeId) {
    return connections.get(nodeId);
  }

  /**
   * Takes up the connections of departed nodes that are back at the same address; opens streams to
   * READY nodes that have none and are not backed off; retires those of nodes that are there but
   * not READY (a draining node finishes what it holds); holds those of nodes that left the registry
   * or are GONE, live or retired, and severs those held past {@link #REJOIN_GRACE}, so what they
   * held is placed again.
   */
  void reconcile(ClusterView view) {
    if (closed.getAsBoolean()) {
      return;
    }
    long now = clock.nanos();
    List<WorkerConnection> left = new ArrayList<>();
    synchronized (lock) {
      for (var it = departed.entrySet().iterator(); it.hasNext(); ) {
        var held = it.next();
        WorkerConnection c = held.getKey();
        NodeInfo node = view.node(c.nodeId());
        if (c.broken()) {
          it.remove(); // its break already handed what it held to the retry path
        } else if (!gone(view, c.nodeId()) && node.address().equals(c.address())) {
          it.remove();
          takeUp(c, node);
        } else if (node != null && !gone(view, c.nodeId())
            || now - held.getValue() >= REJOIN_GRACE.toNanos()) {
          it.remove(); // back at another address, or not back in time
          left.add(c);
        }
      }
      for (NodeInfo node : view.nodes()) {
        boolean ready = node.state() == NodeState.READY;
        WorkerConnection existing = connections.get(node.id());
        if (ready && existing == null && now >= backoffUntil.getOrDefault(node.id(), 0L)) {
          WorkerConnection c =
              new WorkerConnection(node.id(), node.address(), security, listener, sender);
          connections.put(node.id(), c);
          c.open();
        } else if (!ready && existing != null && !gone(view, node.id())) {
          connections.remove(node.id());
          retire(existing);
        }
      }
      for (WorkerConnection c : connections.values()) {
        if (gone(view, c.nodeId()) && connections.remove(c.nodeId(), c)) {
          depart(c, now, left);
        }
      }
      for (WorkerConnection c : retired) {
        if (gone(view, c.nodeId()) && retired.remove(c)) {
          depart(c, now, left);
        }
      }
      failures.keySet().removeIf(nodeId -> view.node(nodeId) == null);
      updateEndpoints(view);
    }
    // Outside the lock: severing hands the orphans to the retry path, which dispatches them.
    for (WorkerConnection c : left) {
      if (!c.broken()) {
        severed.increment();
      }
      c.sever(
          new IllegalStateException(
              "node "
                  + c.nodeId()
                  + " left the registry (lease expired or deregistered) and did not rejoin at "
                  + c.address()
                  + " within "
                  + REJOIN_GRACE.toMillis()
                  + " ms"));
    }
  }

  /**
   * {@code c}'s node left the registry: held for it to rejoin if it was heard from within {@link
   * #REJOIN_GRACE} (a live worker the store dropped), severed at once if it holds tasks and has
   * been silent longer (hung or cut off: its heartbeat stopped).
   */
  private void depart(WorkerConnection c, long now, List<WorkerConnection> left) {
    if (c.inFlight() > 0 && System.nanoTime() - c.lastHeardNanos() >= REJOIN_GRACE.toNanos()) {
      left.add(c);
    } else {
      departed.put(c, now);
    }
  }

  /**
   * {@code c}'s node rejoined where it was: the stream serves it again, as a live connection if it
   * is READY and {@code c} was live, as a retired one otherwise. A live connection opened to the
   * node meanwhile (there should be none: a departed node has none) wins, and {@code c} retires.
   */
  private void takeUp(WorkerConnection c, NodeInfo node) {
    resumed.increment();
    if (node.state() == NodeState.READY && !c.retired() && !connections.containsKey(c.nodeId())) {
      connections.put(c.nodeId(), c);
    } else {
      retire(c);
    }
  }

  /**
   * A node the registry no longer lists, or lists as GONE: its lease ended, so the cluster counts
   * it dead whether or not its socket is still open. Waiting for its answers would only wait for
   * the tasks' timeouts.
   */
  private static boolean gone(ClusterView view, String nodeId) {
    NodeInfo node = view.node(nodeId);
    return node == null || node.state() == NodeState.GONE;
  }

  /** The node takes no more tasks (draining, stopping): send nothing more until it is back. */
  void stopUsing(WorkerConnection c, ClusterView view) {
    synchronized (lock) {
      if (connections.remove(c.nodeId(), c)) {
        backOff(c.nodeId());
        retire(c);
        updateEndpoints(view);
      }
    }
  }

  /**
   * {@code c}'s stream ended: it serves its node no more, and the node is backed off — once per
   * connection that served it: a break reported twice (a send racing the event loop's own report)
   * or a retired connection ending later is not a further failure in a row.
   */
  void broke(WorkerConnection c, ClusterView view) {
    synchronized (lock) {
      if (connections.remove(c.nodeId(), c)) {
        backOff(c.nodeId());
      }
      updateEndpoints(view);
    }
  }

  /** The node's stream works: its next failure is backed off as a first one. */
  void answered(WorkerConnection c) {
    synchronized (lock) {
      if (connections.get(c.nodeId()) == c) {
        failures.remove(c.nodeId());
      }
    }
  }

  private void backOff(String nodeId) {
    int inARow = failures.merge(nodeId, 1, Integer::sum);
    backoffUntil.put(nodeId, clock.nanos() + config.reconnectBackoff().delay(inARow).toNanos());
    backoffs.increment();
  }

  private void retire(WorkerConnection c) {
    retired.add(c);
    c.retire();
  }

  /** Gives the balancer the nodes it may pick: READY ones, healthy while their stream works. */
  private void updateEndpoints(ClusterView view) {
    if (balancer == null) {
      return;
    }
    List<Endpoint> endpoints = new ArrayList<>();
    for (NodeInfo node : view.nodes()) {
      if (node.state() == NodeState.READY) {
        WorkerConnection c = connections.get(node.id());
        endpoints.add(new Endpoint(node.id(), node.address(), c != null && !c.broken()));
      }
    }
    balancer.updateEndpoints(endpoints);
  }

  /** Drops back-offs that ran out by {@code nowNanos} and retired connections that are done. */
  void prune(long nowNanos) {
    backoffUntil.values().removeIf(until -> nowNanos >= until);
    retired.removeIf(c -> c.closed() && c.inFlight() == 0);
  }

  /** Every connection that may still hold tasks in flight: live and retired. */
  private int count(String state) {
    int n = 0;
    for (WorkerConnection c : all()) {
      String s = c.usable() ? "usable" : c.broken() ? "broken" : "other";
      if (s.equals(state)) {
        n++;
      }
    }
    return n;
  }

  List<WorkerConnection> all() {
    List<WorkerConnection> all = new ArrayList<>(connections.values());
    all.addAll(retired);
    all.addAll(departed.keySet());
    return all;
  }

  int inFlight() {
    int n = 0;
    for (WorkerConnection c : connections.values()) {
      n += c.inFlight();
    }
    for (WorkerConnection c : retired) {
      n += c.inFlight();
    }
    for (WorkerConnection c : departed.keySet()) {
      n += c.inFlight();
    }
    return n;
  }

  /** Nodes the client can send to now. */
  LiveLoad usable() {
    return usable;
  }

  /** Nodes the client could send to once they have credits or a connection. */
  LiveLoad reachable() {
    return reachable;
  }

  /**
   * Hands what is in flight to {@code abandon} (the client fails it), then closes every stream. The
   * send thread stops first, so each half-close is written by the closing thread.
   */
  void close(Consumer<TaskAttempt> abandon) {
    sender.shutdown();
    synchronized (lock) {
      for (WorkerConnection c : all()) {
        for (TaskAttempt t : c.inFlightView().values()) {
          abandon.accept(t);
        }
        c.close();
      }
      connections.clear();
      retired.clear();
      departed.clear();
    }
  }

  private final class Usable implements LiveLoad {
    @Override
    public int inFlight(String nodeId) {
      WorkerConnection c = connections.get(nodeId);
      return c == null ? 0 : c.inFlight();
    }

    @Override
    public boolean excluded(String nodeId) {
      WorkerConnection c = connections.get(nodeId);
      return c == null || !c.usable();
    }
  }

  private final class Reachable implements LiveLoad {
    @Override
    public int inFlight(String nodeId) {
      return 0;
    }

    @Override
    public boolean excluded(String nodeId) {
      return backoffUntil.containsKey(nodeId);
    }
  }
}
