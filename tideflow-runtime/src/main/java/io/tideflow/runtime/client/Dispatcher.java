package io.tideflow.runtime.client;

import io.tideflow.core.balance.Balancer;
import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.core.placement.Placement;
import io.tideflow.core.placement.PlacementContext;
import io.tideflow.core.placement.PlacementResult;
import io.tideflow.runtime.task.TaskException.Kind;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedDeque;
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

  /** Picks the worker of unconstrained tasks when a balancer is configured; null otherwise. */
  private final BalancedPicks picks;

  private final Outcomes outcomes;
  private final BooleanSupplier closed;
  private final WaitQueues queues;
  private final ConcurrentLinkedDeque<TaskAttempt> pending;
  private final ConcurrentLinkedDeque<TaskAttempt> parked;

  /** Tasks waiting, and payload bytes not yet answered: the bounds of submit. */
  private final PendingBudget budget;

  private final TurnBacks turnBacks;

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
      TurnBacks turnBacks,
      BooleanSupplier closed) {
    this.config = config;
    this.turnBacks = turnBacks;
    this.queues = new WaitQueues(turnBacks);
    this.pending = queues.pending;
    this.parked = queues.parked;
    this.budget = new PendingBudget(config);
    this.clock = clock;
    this.view = view;
    this.connections = connections;
    this.picks = balancer == null ? null : new BalancedPicks(balancer, clock);
    this.outcomes = outcomes;
    this.closed = closed;
    PlacementContext base =
        PlacementContext.of(Allocations.empty()).withRandom(new SplittableRandom());
    this.usableContext = base.withLoad(connections.usable());
    this.reachableContext = base.withLoad(connections.reachable());
  }

  /**
   * Queues a new task and sends what it can; returns why not, naming the bound, when {@code
   * maxPending} tasks wait already or its payload would pass {@code maxPendingBytes}; null when it
   * was taken.
   */
  String admit(TaskAttempt attempt) {
    String refused = budget.reserve(attempt.spec.payload().length);
    if (refused != null) {
      return refused;
    }
    outcomes.submitted();
    turnBacks.submitted();
    pending.addLast(attempt);
    failQueuedIfClosed();
    dispatch();
    return null;
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
        budget.dequeued();
        fail(attempt, Kind.PLACEMENT_FAILED, "placing the task failed: " + e);
      }
    }
  }

  /** Places and sends one attempt; false when every fitting worker is busy (stop for now). */
  private boolean placeOne(TaskAttempt attempt, ClusterView view) {
    if (attempt.settled()) {
      budget.dequeued(); // timed out while it waited
      return true;
    }
    if (picks != null && unconstrained(attempt.spec) && sendPicked(attempt)) {
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
      String nodeId = elsewhere(attempt, p.nodeId(), view, placed);
      if (!send(attempt, connections.get(nodeId), null)) {
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

  /**
   * {@code chosen}, unless it is the node that just turned the attempt back and another node fits:
   * then that one. Decided a second time only for such attempts, so the common path pays nothing.
   */
  private String elsewhere(
      TaskAttempt attempt, String chosen, ClusterView view, Allocations placed) {
    String avoid = attempt.avoidNode;
    if (avoid == null || !avoid.equals(chosen)) {
      return chosen;
    }
    AvoidingLoad without = new AvoidingLoad(connections.usable(), avoid);
    PlacementResult other =
        config
            .placement()
            .decide(attempt.request, view, usableContext.withAllocations(placed).withLoad(without));
    return other.placement() instanceof Placement.Placed q ? q.nodeId() : chosen;
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
    String nodeId = picks.pick(attempt, now);
    if (nodeId == null) {
      return false;
    }
    if (send(attempt, connections.get(nodeId), nodeId)) {
      return true;
    }
    picks.unsent(nodeId, now); // no free credit there: the task goes by placement
    return false;
  }

  /** Sends one attempt over {@code connection}; false when it had no credit left. */
  private boolean send(TaskAttempt attempt, WorkerConnection connection, String pickedNode) {
    if (connection == null) {
      return false;
    }
    attempt.attempts++;
    long now = clock.nanos();
    boolean keep = attempt.keepDeadline;
    long deadline = attempt.deadlineNanos;
    if (!keep) {
      attempt.deadlineNanos = now + attempt.spec.timeout().toNanos();
    }
    attempt.pickedNode = pickedNode;
    attempt.sentNanos = now;
    // Held before it is sent: its answer may come back before trySend returns.
    hold(attempt, connection.nodeId());
    attempt.keepDeadline = false;
    if (connection.trySend(ids.incrementAndGet(), attempt)) {
      budget.dequeued();
      attempt.lastNoFit = null; // placed: it waits for a node no more
      attempt.avoidNode = null;
      return true;
    }
    release(attempt);
    attempt.keepDeadline = keep;
    attempt.deadlineNanos = deadline;
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
    if (picks != null) {
      picks.answer(attempt, success);
    }
  }

  /** The cluster changed: parked tasks may fit now. */
  void unpark() {
    moveParkedToPending();
    dispatch();
  }

  private void moveParkedToPending() {
    queues.moveParkedToPending();
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
    outcomes.succeed(t, nodeId, output, clock.nanos(), () -> answered(t));
  }

  void fail(TaskAttempt t, Kind kind, String message) {
    release(t);
    outcomes.fail(t, kind, message, () -> answered(t));
  }

  /** Gives the task's bytes back before its future completes, so its caller may submit again. */
  private void answered(TaskAttempt t) {
    budget.answered(t.spec.payload().length);
  }

  /**
   * A worker turned {@code t} back unrun: placed again — after a back-off unless its node is
   * draining, preferably elsewhere, within its current deadline — or failed {@code OVERLOADED} when
   * a bound of {@link TurnBackPolicy} ran out. The caller has not counted it as an attempt.
   */
  void turnBack(TaskAttempt t, String nodeId, TurnBacks.Cause cause, String why) {
    release(t);
    if (t.settled()) {
      return;
    }
    String refused = turnBacks.refuse(t, cause);
    if (refused != null) {
      fail(t, Kind.OVERLOADED, "task " + refused + "; last from " + nodeId + ": " + why);
      return;
    }
    outcomes.retried(); // placed again, as a retry after a broken stream is
    t.avoidNode = nodeId;
    t.keepDeadline = true;
    budget.requeued();
    if (cause == TurnBacks.Cause.DRAINING) {
      pending.addLast(t); // the draining node is used no more: no need to wait
    } else {
      turnBacks.delay(t, clock.nanos());
    }
    failQueuedIfClosed();
  }

  /** Moves the turned-back tasks whose back-off has passed back in line, and sends them. */
  void releaseDue(long nowNanos) {
    List<TaskAttempt> due = turnBacks.due(nowNanos);
    if (!due.isEmpty()) {
      due.forEach(pending::addLast);
      failQueuedIfClosed();
      dispatch();
    }
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
    budget.requeued();
    pending.addLast(t);
    failQueuedIfClosed();
  }

  /** See {@link WaitQueues#expire}. */
  void expireWaiting(Predicate<TaskAttempt> expired, Consumer<TaskAttempt> onExpired) {
    queues.expire(
        expired,
        t -> {
          budget.dequeued();
          onExpired.accept(t);
        });
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
    for (TaskAttempt t : queues.takeAll()) {
      fail(t, Kind.CLIENT_CLOSED, "client closed");
    }
  }

  /** See {@link TideflowClient#pendingWork()}. */
  List<PendingWork> pendingWork() {
    return queues.pendingWork();
  }

  Allocations allocations() {
    return allocations.get();
  }

  int waiting() {
    return budget.waiting();
  }
}
