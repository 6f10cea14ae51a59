package io.tideflow.runtime.client;

import io.tideflow.core.balance.Balancer;
import io.tideflow.core.balance.PickResult;
import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LabelSelector;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.core.placement.Placement;
import io.tideflow.core.placement.PlacementContext;
import io.tideflow.core.placement.PlacementResult;
import io.tideflow.runtime.task.TaskException.Kind;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Where each task waits and where it goes. A task waits in {@code pending} until a worker has a
 * free credit, or in {@code parked} while no node could take it at all (retried when the cluster
 * changes or something placed is released). It is placed with the core's placement code — or, when
 * it has no constraints and a balancer is configured, picked by the balancer — against the client's
 * {@link Allocations}, which hold each placed demand until its answer.
 *
 * <p>Ownership: the dispatch loop ({@link #dispatch}) runs on one thread at a time, whichever
 * caller wins {@code dispatchWip} (a submitting thread, gRPC's event loop, the registry watcher or
 * the timer); it alone takes from the front of the queues and touches the placement contexts. Any
 * thread adds to the queues, and the deadline sweep removes expired attempts from them, both
 * through the concurrent deques. {@code allocations} is an atomic reference, updated by
 * compare-and-set from whichever thread places or releases.
 */
final class Dispatcher {
  private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

  private final ClientConfig config;
  private final ClientClock clock;
  private final Supplier<ClusterView> view;
  private final WorkerConnections connections;

  /** Picks the worker of unconstrained tasks when configured; null otherwise. */
  private final Balancer balancer;

  private final Outcomes outcomes;
  private final BooleanSupplier closed;
  private final ConcurrentLinkedDeque<TaskAttempt> pending = new ConcurrentLinkedDeque<>();
  private final ConcurrentLinkedDeque<TaskAttempt> parked = new ConcurrentLinkedDeque<>();

  /** Tasks accepted and not yet sent, bounded by {@link ClientConfig#maxPending()}. */
  private final AtomicInteger waiting = new AtomicInteger();

  private final AtomicInteger dispatchWip = new AtomicInteger();
  private final AtomicLong ids = new AtomicLong();

  /** What this client placed and has not had answered: tasks with a demand or work labels. */
  private final AtomicReference<Allocations> allocations =
      new AtomicReference<>(Allocations.empty());

  /** Set when something placed was released while tasks were parked; see {@link #roomFreed()}. */
  private final AtomicBoolean roomFreed = new AtomicBoolean();

  /** The dispatch loop's placement contexts, rebuilt as allocations change. */
  private PlacementContext usableContext;

  private PlacementContext reachableContext;

  Dispatcher(
      ClientConfig config,
      ClientClock clock,
      Supplier<ClusterView> view,
      WorkerConnections connections,
      Balancer balancer,
      Outcomes outcomes,
      BooleanSupplier closed) {
    this.config = config;
    this.clock = clock;
    this.view = view;
    this.connections = connections;
    this.balancer = balancer;
    this.outcomes = outcomes;
    this.closed = closed;
    PlacementContext base =
        PlacementContext.of(Allocations.empty()).withRandom(new SplittableRandom());
    this.usableContext = base.withLoad(connections.usable());
    this.reachableContext = base.withLoad(connections.reachable());
  }

  /** Queues a new task and sends what it can; false when {@code maxPending} tasks wait already. */
  boolean admit(TaskAttempt attempt) {
    if (waiting.incrementAndGet() > config.maxPending()) {
      waiting.decrementAndGet();
      return false;
    }
    outcomes.submitted();
    pending.addLast(attempt);
    failQueuedIfClosed();
    dispatch();
    return true;
  }

  /** Sends waiting tasks while workers have credits. One thread at a time runs the loop. */
  void dispatch() {
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
    if (closed.getAsBoolean()) {
      return; // close() fails what waits
    }
    if (roomFreed.getAndSet(false)) {
      moveParkedToPending();
    }
    ClusterView current = view.get();
    TaskAttempt attempt;
    while ((attempt = pending.pollFirst()) != null) {
      try {
        if (!placeOne(attempt, current)) {
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
    PlacementResult result =
        config
            .placement()
            .decide(attempt.request, view, usableContext = current(usableContext, placed));
    if (result.nextStartIndex() != usableContext.startIndex()) {
      usableContext = usableContext.withStartIndex(result.nextStartIndex());
    }
    if (result.placement() instanceof Placement.Placed p) {
      if (!send(attempt, connections.get(p.nodeId()), null)) {
        pending.addFirst(attempt); // lost a race for the last credit: place it again
      }
      return true;
    }
    if (config
            .placement()
            .decide(attempt.request, view, reachableContext = current(reachableContext, placed))
            .placement()
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
    long now = clock.nanos();
    PickResult pick = balancer.picker().pick(ThreadLocalRandom.current().nextLong(), now);
    if (!(pick instanceof PickResult.Chosen chosen)) {
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
    long now = clock.nanos();
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
  void answerPick(TaskAttempt attempt, boolean success) {
    String picked = attempt.pickedNode;
    if (balancer != null && picked != null) {
      attempt.pickedNode = null;
      long now = clock.nanos();
      balancer.onResult(picked, ClientClock.elapsed(attempt.sentNanos, now), success, now);
    }
  }

  /** The cluster changed: parked tasks may fit now. */
  void unpark() {
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
   * Something placed was released: the parked tasks are tried again on the dispatcher's next round.
   * Releases that come faster than rounds are coalesced, so the parked queue is walked once per
   * round, not once per release.
   */
  private void roomFreed() {
    roomFreed.set(true);
    dispatch();
  }

  void succeed(TaskAttempt t, String nodeId, byte[] output) {
    release(t);
    outcomes.succeed(t, nodeId, output, clock.nanos());
  }

  void fail(TaskAttempt t, Kind kind, String message) {
    release(t);
    outcomes.fail(t, kind, message);
  }

  /** Puts an attempt that got no answer back in line, or fails it when its attempts are used. */
  void retry(TaskAttempt t, String why) {
    release(t);
    if (t.settled()) {
      return;
    }
    if (t.attempts >= t.spec.maxAttempts()) {
      fail(t, Kind.ATTEMPTS_EXHAUSTED, "task failed on " + t.attempts + " node(s); last: " + why);
      return;
    }
    outcomes.retried();
    waiting.incrementAndGet();
    pending.addLast(t);
    failQueuedIfClosed();
  }

  /**
   * Takes each waiting attempt that {@code expired} accepts out of its queue and hands it to {@code
   * onExpired}; an attempt the dispatch loop took meanwhile is left to it.
   */
  void expireWaiting(Predicate<TaskAttempt> expired, Consumer<TaskAttempt> onExpired) {
    for (ConcurrentLinkedDeque<TaskAttempt> queue : List.of(pending, parked)) {
      for (Iterator<TaskAttempt> it = queue.iterator(); it.hasNext(); ) {
        TaskAttempt t = it.next();
        if (expired.test(t) && queue.removeFirstOccurrence(t)) {
          waiting.decrementAndGet();
          onExpired.accept(t);
        }
      }
    }
  }

  /**
   * Called after every enqueue: the client sets its closed flag before it empties the queues, so an
   * attempt added while it ran is either emptied by it or failed here.
   */
  private void failQueuedIfClosed() {
    if (closed.getAsBoolean()) {
      failQueued();
    }
  }

  /** Fails everything that waits: the client is closing. */
  void failQueued() {
    for (ConcurrentLinkedDeque<TaskAttempt> q : List.of(pending, parked)) {
      TaskAttempt t;
      while ((t = q.pollFirst()) != null) {
        fail(t, Kind.CLIENT_CLOSED, "client closed");
      }
    }
  }

  /** See {@link TideflowClient#pendingWork()}. */
  List<PendingWork> pendingWork() {
    record Shape(Resources demand, LabelSelector selector, Set<String> tolerations) {}
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
    counts.forEach(
        (shape, n) ->
            work.add(
                new PendingWork(
                    shape.demand(),
                    shape.selector(),
                    shape.tolerations(),
                    n[0],
                    reasons.get(shape))));
    work.sort((a, b) -> Integer.compare(b.count(), a.count()));
    return work;
  }

  Allocations allocations() {
    return allocations.get();
  }

  int waiting() {
    return waiting.get();
  }
}
