package io.tideflow.runtime.client;

import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.task.TaskResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One submitted task on its way through the client: waiting, in flight on a node, or retried.
 * Fields other than the future are touched by one thread at a time (the dispatcher, then the
 * connection that holds it), handed over through concurrent queues and maps.
 */
final class TaskAttempt {
  final TaskSpec spec;

  /** Where it may go and what it holds there ({@link TaskSpec#placement()}). */
  final PlacementRequest request;

  final CompletableFuture<TaskResult> future = new CompletableFuture<>();

  /** Times are nanos on the client's clock ({@link ClientClock#nanos()}). */
  final long submittedNanos;

  /** Attempts started so far; a rejection by a draining node does not count. */
  int attempts;

  /** Times a worker turned it back unrun (overloaded, no credit, draining). */
  int turnedBack;

  /** The node that last turned it back: placed elsewhere next time if another fits; or null. */
  volatile String avoidNode;

  /**
   * Set when it was turned back: its next send keeps the deadline it has instead of starting a
   * fresh one, so a task bounced from node to node still ends within its timeout.
   */
  volatile boolean keepDeadline;

  /** When a task turned back for overload is placed again (client clock nanos). */
  volatile long retryAtNanos;

  /** When the current wait (for a node, or for the node's answer) gives up. */
  volatile long deadlineNanos;

  /** Why the task could not be placed the last time it was tried, for the timeout message. */
  volatile String lastNoFit;

  /** The node the balancer picked for the attempt in flight (null when placed otherwise). */
  volatile String pickedNode;

  /** When the attempt in flight was sent. */
  volatile long sentNanos;

  private final AtomicBoolean settled = new AtomicBoolean();

  /** The node whose allocation holds this attempt's demand, until released; null when none. */
  private final AtomicReference<String> heldOn = new AtomicReference<>();

  /** Records that {@code nodeId}'s allocation now holds this attempt's demand. */
  void hold(String nodeId) {
    heldOn.set(nodeId);
  }

  /** The node holding this attempt's demand, taken: exactly one caller gets it back. */
  String takeHeld() {
    return heldOn.getAndSet(null);
  }

  /**
   * Claims the right to finish this task: true for exactly one caller, who then counts the outcome
   * and completes the future, in that order, so counters never lag the futures.
   */
  boolean settle() {
    return settled.compareAndSet(false, true);
  }

  boolean settled() {
    return settled.get();
  }

  TaskAttempt(TaskSpec spec, long nowNanos) {
    this.spec = spec;
    this.request = spec.placement();
    this.submittedNanos = nowNanos;
    this.deadlineNanos = nowNanos + spec.timeout().toNanos();
  }
}
