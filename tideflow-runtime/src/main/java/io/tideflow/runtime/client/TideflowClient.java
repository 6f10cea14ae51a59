package io.tideflow.runtime.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LabelSelector;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.core.placement.LiveLoad;
import io.tideflow.core.placement.Placement;
import io.tideflow.core.placement.PlacementContext;
import io.tideflow.core.placement.PlacementResult;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskException.Kind;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.store.ClusterStore;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Submits tasks to the cluster. Follows the node registry, places each task itself with the
 * core's placement code, sends it over the worker's task stream, and owns its retries: when a
 * worker dies or its connection breaks, the tasks it held are placed again elsewhere
 * (at-least-once; an idempotency key makes a retry that reaches the same worker run once).
 *
 * <p>A task with a resource demand holds it on its node from when it is sent until its answer
 * (as a Ray resource request does): the client records it in its {@link Allocations}, so the
 * placement strategy sees capacity less what is placed, and a task that fits nowhere now waits
 * until something is released or a node joins. What waits that way is published under the
 * client's lease ({@link io.tideflow.runtime.membership.ClusterKeys#DEMAND}) for the autoscaler's
 * pending-demand policy and for {@code status}.
 *
 * <p>{@link #submit} never blocks: a task waits in a bounded queue until a worker has a free
 * credit, and beyond the bound is rejected. Futures complete on gRPC's event loop or the client's
 * timer thread: chain with the {@code *Async} methods for anything that may block.
 */
public final class TideflowClient implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TideflowClient.class.getName());
  private static final long TICK_MILLIS = 50;

  private final ClientConfig config;
  private final ClusterWatcher watcher;
  private final Map<String, WorkerConnection> connections = new ConcurrentHashMap<>();
  private final Map<String, Long> backoffUntil = new ConcurrentHashMap<>();
  /** Connections that take no new tasks but still have some in flight (timeouts apply). */
  private final java.util.Set<WorkerConnection> retired = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedDeque<TaskAttempt> pending = new ConcurrentLinkedDeque<>();
  private final ConcurrentLinkedDeque<TaskAttempt> parked = new ConcurrentLinkedDeque<>();
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicInteger dispatchWip = new AtomicInteger();
  private final AtomicLong ids = new AtomicLong();
  private final ScheduledExecutorService timer;
  /** Sends task batches on a platform thread, whatever the application's threads are doing. */
  private final java.util.concurrent.ExecutorService sender =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().daemon().name("tideflow-client-send").factory());
  private final Events events = new Events();
  private final Counter submitted;
  private final Counter completed;
  private final Counter failed;
  private final Counter retried;
  private final Timer latency;
  private final LiveLoad usable = new Usable();
  private final LiveLoad reachable = new Reachable();
  /** Picks the worker of unconstrained tasks when configured; null otherwise. */
  private final io.tideflow.core.balance.Balancer balancer;
  /** What this client placed and has not had answered: tasks with a demand or work labels. */
  private final AtomicReference<Allocations> allocations = new AtomicReference<>(Allocations.empty());
  /** The dispatcher's placement context (one dispatcher at a time), rebuilt as allocations change. */
  private PlacementContext usableContext;
  private PlacementContext reachableContext;
  private final DemandReporter demand;
  /** Set when something placed was released while tasks were parked; see {@link #roomFreed()}. */
  private final java.util.concurrent.atomic.AtomicBoolean roomFreed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private long lastDemandReportNanos;
  private volatile boolean closed;

  private TideflowClient(ClientConfig config, ClusterWatcher watcher, ClusterStore store,
      MeterRegistry metrics) {
    this.config = config;
    this.watcher = watcher;
    PlacementContext base = PlacementContext.of(Allocations.empty())
        .withRandom(new java.util.SplittableRandom());
    this.usableContext = base.withLoad(usable);
    this.reachableContext = base.withLoad(reachable);
    this.demand = new DemandReporter(store, "client-" + java.util.UUID.randomUUID(),
        config.demandLeaseTtl(), config.demandReportInterval());
    this.lastDemandReportNanos = System.nanoTime() - config.demandReportInterval().toNanos();
    this.balancer = config.balancer() == null ? null : config.balancer().get();
    this.submitted = Counter.builder("tideflow.tasks.submitted").register(metrics);
    this.completed = Counter.builder("tideflow.tasks.completed").register(metrics);
    this.failed = Counter.builder("tideflow.tasks.failed").register(metrics);
    this.retried = Counter.builder("tideflow.tasks.retried").register(metrics);
    this.latency =
        Timer.builder("tideflow.tasks.latency")
            .description("From submit to result")
            .publishPercentileHistogram()
            .register(metrics);
    Gauge.builder("tideflow.tasks.waiting", waiting, AtomicInteger::get).register(metrics);
    Gauge.builder("tideflow.tasks.in_flight", this, c -> c.inFlight()).register(metrics);
    for (NodeState state : NodeState.values()) {
      Gauge.builder("tideflow.nodes", watcher, w -> w.view().countByState().get(state))
          .tag("state", state.name())
          .description("Nodes in the registry by state")
          .register(metrics);
    }
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tideflow-client-timer").factory());
  }

  /**
   * Connects to the cluster behind {@code store}.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read within
   *     {@link ClientConfig#storeTimeout()}
   */
  public static TideflowClient connect(
      ClusterStore store, ClientConfig config, MeterRegistry metrics) {
    ClusterWatcher watcher = ClusterWatcher.start(store, config.storeTimeout());
    TideflowClient client = new TideflowClient(config, watcher, store, metrics);
    watcher.onChange(view -> client.reconcile());
    client.reconcile();
    client.timer.scheduleWithFixedDelay(
        client::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    return client;
  }

  /**
   * Submits a task. The future fails with a {@link TaskException} whose kind says why: {@code
   * QUEUE_FULL} at once when too many tasks wait, {@code TOO_LARGE} for an oversized payload,
   * {@code UNKNOWN_HANDLER}, {@code HANDLER_FAILED}, {@code TIMED_OUT}, {@code NO_NODE_FITS} when
   * no node could take it before its timeout, {@code ATTEMPTS_EXHAUSTED}.
   */
  public CompletableFuture<TaskResult> submit(TaskSpec spec) {
    TaskAttempt attempt = new TaskAttempt(spec, System.nanoTime());
    if (closed) {
      attempt.future.completeExceptionally(new TaskException(Kind.CLIENT_CLOSED, "client closed"));
      return attempt.future;
    }
    if (spec.payload().length > config.maxPayloadBytes()) {
      attempt.future.completeExceptionally(
          new TaskException(Kind.TOO_LARGE, "payload of " + spec.payload().length
              + " bytes exceeds the limit of " + config.maxPayloadBytes() + " bytes"));
      return attempt.future;
    }
    if (waiting.incrementAndGet() > config.maxPending()) {
      waiting.decrementAndGet();
      attempt.future.completeExceptionally(
          new TaskException(Kind.QUEUE_FULL, "submit queue full: " + config.maxPending()
              + " tasks already wait to be sent (ClientConfig.maxPending)"));
      return attempt.future;
    }
    submitted.increment();
    pending.addLast(attempt);
    failQueuedIfClosed();
    dispatch();
    return attempt.future;
  }

  /** Sends waiting tasks while workers have credits. One thread at a time runs the loop. */
  private void dispatch() {
    if (dispatchWip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      try {
        drainPending();
      } catch (RuntimeException e) {
        // drainPending fails the attempt it was placing; this guards the loop's own bookkeeping.
        LOG.log(Level.ERROR, "dispatch failed", e);
      }
      missed = dispatchWip.addAndGet(-missed);
    } while (missed != 0);
    failQueuedIfClosed();
  }

  private void drainPending() {
    if (closed) {
      return; // close() fails what waits
    }
    if (roomFreed.getAndSet(false)) {
      moveParkedToPending();
    }
    ClusterView view = watcher.view();
    TaskAttempt attempt;
    while ((attempt = pending.pollFirst()) != null) {
      try {
        if (!placeOne(attempt, view)) {
          return;
        }
      } catch (RuntimeException e) {
        waiting.decrementAndGet();
        fail(attempt, Kind.PLACEMENT_FAILED, "placing the task failed: " + e);
      }
    }
  }

  /** Places and sends one attempt; false when every fitting worker is busy (stop for now). */
  private boolean placeOne(TaskAttempt attempt, ClusterView view) {
    if (attempt.settled()) {
      waiting.decrementAndGet(); // timed out while it waited
      return true;
    }
    if (balancer != null && unconstrained(attempt.spec) && sendPicked(attempt)) {
      return true;
    }
    Allocations placed = allocations.get();
    PlacementResult result = config.placement().decide(attempt.request, view,
        usableContext = current(usableContext, placed));
    if (result.nextStartIndex() != usableContext.startIndex()) {
      usableContext = usableContext.withStartIndex(result.nextStartIndex());
    }
    if (result.placement() instanceof Placement.Placed p) {
      if (!send(attempt, connections.get(p.nodeId()), null)) {
        pending.addFirst(attempt); // lost a race for the last credit: place it again
      }
      return true;
    }
    if (config.placement().decide(attempt.request, view,
            reachableContext = current(reachableContext, placed)).placement()
        instanceof Placement.NoFit noFit) {
      attempt.lastNoFit = noFit.reason();
      parked.addLast(attempt); // nothing could take it now: retried when the cluster changes
      if (allocations.get() != placed) {
        roomFreed(); // something was released meanwhile: try again rather than wait for the next
      }
      return true;
    }
    attempt.lastNoFit = null; // it fits, but every fitting worker is busy: wait for credits
    pending.addFirst(attempt);
    return false;
  }

  private static PlacementContext current(PlacementContext context, Allocations placed) {
    return context.allocations() == placed ? context : context.withAllocations(placed);
  }

  private static boolean unconstrained(TaskSpec spec) {
    PlacementRequest r = spec.placement();
    return r == PlacementRequest.NONE || r.equals(PlacementRequest.NONE);
  }

  /** Sends {@code attempt} to the balancer's pick; false when it picked no usable worker. */
  private boolean sendPicked(TaskAttempt attempt) {
    long now = System.nanoTime();
    io.tideflow.core.balance.PickResult pick =
        balancer.picker().pick(java.util.concurrent.ThreadLocalRandom.current().nextLong(), now);
    if (!(pick instanceof io.tideflow.core.balance.PickResult.Chosen chosen)) {
      return false;
    }
    String nodeId = chosen.endpoint().id();
    if (send(attempt, connections.get(nodeId), nodeId)) {
      return true;
    }
    // Picked, but its stream has no free credit (or is closing): the task goes by placement.
    // The pick must still be answered once; as an instant success it leaves no failure behind.
    balancer.onResult(nodeId, 0, true, now);
    return false;
  }

  /** Sends one attempt over {@code connection}; false when it had no credit left. */
  private boolean send(TaskAttempt attempt, WorkerConnection connection, String pickedNode) {
    if (connection == null) {
      return false;
    }
    attempt.attempts++;
    long now = System.nanoTime();
    attempt.deadlineNanos = now + attempt.spec.timeout().toNanos();
    attempt.pickedNode = pickedNode;
    attempt.sentNanos = now;
    // Held before it is sent: its answer may come back before trySend returns.
    hold(attempt, connection.nodeId());
    if (connection.trySend(ids.incrementAndGet(), attempt)) {
      waiting.decrementAndGet();
      attempt.lastNoFit = null; // placed: it waits for a node no more
      return true;
    }
    release(attempt);
    attempt.attempts--;
    attempt.pickedNode = null;
    return false;
  }

  /** Records the attempt's demand and work labels on {@code nodeId}, when it has any. */
  private void hold(TaskAttempt attempt, String nodeId) {
    PlacementRequest r = attempt.request;
    if (r.isAllocated()) {
      attempt.hold(nodeId);
      allocations.updateAndGet(a -> a.place(nodeId, r.demand(), r.workLabels()));
    }
  }

  /**
   * Gives back what the attempt held, once, whichever way it ended. Tasks that wait for room are
   * placed again: the room may be theirs now.
   */
  private void release(TaskAttempt attempt) {
    String nodeId = attempt.takeHeld();
    if (nodeId != null) {
      PlacementRequest r = attempt.request;
      allocations.updateAndGet(a -> a.release(nodeId, r.demand(), r.workLabels()));
      if (!parked.isEmpty()) {
        roomFreed();
      }
    }
  }

  /** Tells the balancer how the attempt it picked ended. */
  private void answerPick(TaskAttempt attempt, boolean success) {
    String picked = attempt.pickedNode;
    if (balancer != null && picked != null) {
      attempt.pickedNode = null;
      long now = System.nanoTime();
      balancer.onResult(picked, now - attempt.sentNanos, success, now);
    }
  }

  /** Gives the balancer the nodes it may pick: READY ones, healthy while their stream works. */
  private void updateEndpoints(ClusterView view) {
    if (balancer == null) {
      return;
    }
    java.util.List<io.tideflow.core.balance.Endpoint> endpoints = new java.util.ArrayList<>();
    for (NodeInfo node : view.nodes()) {
      if (node.state() == NodeState.READY) {
        WorkerConnection c = connections.get(node.id());
        endpoints.add(new io.tideflow.core.balance.Endpoint(
            node.id(), node.address(), c != null && !c.broken()));
      }
    }
    balancer.updateEndpoints(endpoints);
  }

  private void reconcile() {
    if (closed) {
      return;
    }
    ClusterView view = watcher.view();
    long now = System.nanoTime();
    synchronized (connections) {
      for (NodeInfo node : view.nodes()) {
        boolean ready = node.state() == NodeState.READY;
        WorkerConnection existing = connections.get(node.id());
        if (ready && existing == null && now >= backoffUntil.getOrDefault(node.id(), 0L)) {
          WorkerConnection c = new WorkerConnection(node.id(), node.address(), events, sender);
          connections.put(node.id(), c);
          c.open();
        } else if (!ready && existing != null) {
          connections.remove(node.id());
          retire(existing);
        }
      }
      for (WorkerConnection c : connections.values()) {
        if (view.node(c.nodeId()) == null) {
          connections.remove(c.nodeId());
          retire(c);
        }
      }
      updateEndpoints(view);
    }
    unpark();
  }

  private void retire(WorkerConnection c) {
    retired.add(c);
    c.retire();
  }

  private void unpark() {
    moveParkedToPending();
    dispatch();
  }

  private void moveParkedToPending() {
    TaskAttempt t;
    while ((t = parked.pollFirst()) != null) {
      pending.addLast(t);
    }
  }

  /**
   * Something placed was released: the parked tasks are tried again on the dispatcher's next
   * round. Releases that come faster than rounds are coalesced, so the parked queue is walked
   * once per round, not once per release.
   */
  private void roomFreed() {
    roomFreed.set(true);
    dispatch();
  }

  private void tick() {
    try {
      long now = System.nanoTime();
      expireWaiting(pending, now);
      expireWaiting(parked, now);
      retired.removeIf(c -> c.closed() && c.inFlight() == 0);
      List<WorkerConnection> all = new ArrayList<>(connections.values());
      all.addAll(retired);
      for (WorkerConnection c : all) {
        for (Map.Entry<Long, TaskAttempt> e : c.inFlightView().entrySet()) {
          if (now - e.getValue().deadlineNanos > 0 && c.abandon(e.getKey()) != null) {
            answerPick(e.getValue(), false);
            fail(e.getValue(), Kind.TIMED_OUT, "task timed out after "
                + e.getValue().spec.timeout() + " on node " + c.nodeId());
          }
        }
      }
      backoffUntil.values().removeIf(until -> now >= until);
      reconcile();
      if (now - lastDemandReportNanos >= config.demandReportInterval().toNanos()) {
        lastDemandReportNanos = now;
        demand.report(pendingWork(), System.currentTimeMillis());
      }
    } catch (RuntimeException e) {
      // The timer must keep running; a failure here is a bug worth a loud log line.
      LOG.log(Level.ERROR, "client timer tick failed", e);
    }
  }

  private void expireWaiting(ConcurrentLinkedDeque<TaskAttempt> queue, long now) {
    for (Iterator<TaskAttempt> it = queue.iterator(); it.hasNext(); ) {
      TaskAttempt t = it.next();
      if (now - t.deadlineNanos > 0 && queue.removeFirstOccurrence(t)) {
        waiting.decrementAndGet();
        if (t.lastNoFit != null) {
          fail(t, Kind.NO_NODE_FITS, t.lastNoFit + " (waited " + t.spec.timeout() + ")");
        } else {
          fail(t, Kind.TIMED_OUT, "task timed out after " + t.spec.timeout()
              + " waiting for a worker with free capacity");
        }
      }
    }
  }

  private void succeed(TaskAttempt t, String nodeId, byte[] output) {
    release(t);
    if (t.settle()) {
      completed.increment();
      latency.record(System.nanoTime() - t.submittedNanos, TimeUnit.NANOSECONDS);
      t.future.complete(new TaskResult(output, nodeId, t.attempts));
    }
  }

  private void fail(TaskAttempt t, Kind kind, String message) {
    release(t);
    if (t.settle()) {
      failed.increment();
      t.future.completeExceptionally(new TaskException(kind, message));
    }
  }

  /** Puts an attempt that got no answer back in line, or fails it when its attempts are used. */
  private void retry(TaskAttempt t, String why) {
    release(t);
    if (t.settled()) {
      return;
    }
    if (t.attempts >= t.spec.maxAttempts()) {
      fail(t, Kind.ATTEMPTS_EXHAUSTED,
          "task failed on " + t.attempts + " node(s); last: " + why);
      return;
    }
    retried.increment();
    waiting.incrementAndGet();
    pending.addLast(t);
    failQueuedIfClosed();
  }

  /**
   * Called after every enqueue: {@link #close()} sets {@code closed} before it empties the
   * queues, so an attempt added while it ran is either emptied by it or failed here.
   */
  private void failQueuedIfClosed() {
    if (!closed) {
      return;
    }
    for (ConcurrentLinkedDeque<TaskAttempt> q : List.of(pending, parked)) {
      TaskAttempt t;
      while ((t = q.pollFirst()) != null) {
        fail(t, Kind.CLIENT_CLOSED, "client closed");
      }
    }
  }

  /** The registry as this client sees it now. */
  public ClusterView view() {
    return watcher.view();
  }

  /**
   * Work that waits because no node can take it now (not for want of credits: for want of a
   * fitting node), grouped by shape, the most numerous first. What the autoscaler sees.
   */
  public List<PendingWork> pendingWork() {
    record Shape(Resources demand, LabelSelector selector, java.util.Set<String> tolerations) {}
    Map<Shape, int[]> counts = new HashMap<>();
    Map<Shape, String> reasons = new HashMap<>();
    // Both queues: parked work moves to pending whenever room may have freed, and back.
    List<TaskAttempt> waitingForFit = new ArrayList<>(parked);
    waitingForFit.addAll(pending);
    for (TaskAttempt t : waitingForFit) {
      if (t.settled() || t.lastNoFit == null) {
        continue;
      }
      Shape shape = new Shape(t.request.demand(), t.request.selector(), t.request.tolerations());
      counts.computeIfAbsent(shape, k -> new int[1])[0]++;
      reasons.put(shape, t.lastNoFit);
    }
    List<PendingWork> work = new ArrayList<>();
    counts.forEach((shape, n) ->
        work.add(new PendingWork(shape.demand(), shape.selector(), shape.tolerations(), n[0],
            reasons.get(shape))));
    work.sort((a, b) -> Integer.compare(b.count(), a.count()));
    return work;
  }

  /** The id under which this client publishes its pending work. */
  public String id() {
    return demand.clientId();
  }

  /** What this client has placed and not yet had answered, per node. */
  public Allocations allocations() {
    return allocations.get();
  }

  /** Counts since the client started. */
  public record Stats(long submitted, long completed, long failed, long retried, int waiting,
      int inFlight) {}

  public Stats stats() {
    return new Stats((long) submitted.count(), (long) completed.count(), (long) failed.count(),
        (long) retried.count(), waiting.get(), inFlight());
  }

  private int inFlight() {
    int n = 0;
    for (WorkerConnection c : connections.values()) {
      n += c.inFlight();
    }
    for (WorkerConnection c : retired) {
      n += c.inFlight();
    }
    return n;
  }

  /** Fails what has not finished, closes the streams and stops following the registry. */
  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    sender.shutdown();
    watcher.close();
    synchronized (connections) {
      List<WorkerConnection> all = new ArrayList<>(connections.values());
      all.addAll(retired);
      for (WorkerConnection c : all) {
        for (TaskAttempt t : c.inFlightView().values()) {
          fail(t, Kind.CLIENT_CLOSED, "client closed");
        }
        c.close();
      }
      connections.clear();
      retired.clear();
    }
    for (ConcurrentLinkedDeque<TaskAttempt> q : java.util.List.of(pending, parked)) {
      TaskAttempt t;
      while ((t = q.pollFirst()) != null) {
        fail(t, Kind.CLIENT_CLOSED, "client closed");
      }
    }
    try {
      demand.close().get(config.storeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.log(Level.DEBUG, "client " + id() + " left its demand record behind: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What the connections report, on the event loop. */
  private final class Events implements WorkerConnection.Listener {
    @Override
    public void onResult(WorkerConnection c, TaskAttempt t, ResultMessage r) {
      // The node answered: whatever the handler did, the node itself worked.
      answerPick(t, true);
      switch (r.getError()) {
        case ERROR_CODE_NONE -> succeed(t, c.nodeId(), r.getOutput().toByteArray());
        case REJECTED_DRAINING -> {
          t.attempts--; // the node turned it back unrun: this try does not count
          stopUsing(c);
          retry(t, r.getErrorMessage());
        }
        case UNKNOWN_HANDLER -> fail(t, Kind.UNKNOWN_HANDLER, r.getErrorMessage());
        case TOO_LARGE -> fail(t, Kind.TOO_LARGE, r.getErrorMessage());
        case TIMED_OUT -> fail(t, Kind.TIMED_OUT, r.getErrorMessage());
        default -> fail(t, Kind.HANDLER_FAILED,
            "handler '" + t.spec.handler() + "' failed on " + c.nodeId() + ": "
                + r.getErrorMessage());
      }
    }

    /** The node takes no more tasks (draining, stopping): send nothing more until it is back. */
    private void stopUsing(WorkerConnection c) {
      synchronized (connections) {
        if (connections.remove(c.nodeId(), c)) {
          backoffUntil.put(c.nodeId(), System.nanoTime() + config.reconnectBackoff().toNanos());
          retire(c);
          updateEndpoints(watcher.view());
        }
      }
    }

    @Override
    public void onReady(WorkerConnection c) {
      dispatch();
    }

    @Override
    public void onBroken(WorkerConnection c, Collection<TaskAttempt> orphans, Throwable cause) {
      String why = "connection to " + c.nodeId() + " at " + c.address() + " broke: " + cause;
      if (!closed) {
        synchronized (connections) {
          connections.remove(c.nodeId(), c);
          backoffUntil.put(c.nodeId(), System.nanoTime() + config.reconnectBackoff().toNanos());
        }
        if (!orphans.isEmpty()) {
          LOG.log(Level.INFO, why + "; placing " + orphans.size() + " task(s) again");
        }
      }
      for (TaskAttempt t : orphans) {
        answerPick(t, false);
        retry(t, why);
      }
      if (!closed) {
        synchronized (connections) {
          updateEndpoints(watcher.view());
        }
      }
      dispatch();
    }
  }

  /** Nodes this client can send to now. */
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

  /** Nodes this client could send to once they have credits or a connection. */
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
