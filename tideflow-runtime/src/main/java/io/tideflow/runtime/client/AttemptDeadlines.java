package io.tideflow.runtime.client;

import io.tideflow.runtime.task.TaskException.Kind;
import java.util.Map;

/**
 * Gives up on tasks whose time ran out: those still waiting to be sent (answered {@code
 * NO_NODE_FITS} with the last reason when no node could take them, {@code TIMED_OUT} when every
 * fitting worker was busy) and those in flight on a node that has not answered (forgotten on that
 * stream and answered {@code TIMED_OUT}; the node's late answer finds nobody waiting).
 *
 * <p>Ownership: none of its own. It runs on the client's timer thread; each attempt it expires is
 * taken by a remove from a concurrent queue or from a connection's in-flight map, so it and the
 * dispatcher, a result or a broken stream never both handle one attempt.
 */
final class AttemptDeadlines {
  private final Dispatcher dispatcher;
  private final WorkerConnections connections;

  AttemptDeadlines(Dispatcher dispatcher, WorkerConnections connections) {
    this.dispatcher = dispatcher;
    this.connections = connections;
  }

  /** Expires every attempt whose deadline is before {@code nowNanos}. */
  void sweep(long nowNanos) {
    dispatcher.expireWaiting(t -> nowNanos - t.deadlineNanos > 0, this::expireWaiting);
    for (WorkerConnection c : connections.all()) {
      for (Map.Entry<Long, TaskAttempt> e : c.inFlightView().entrySet()) {
        TaskAttempt t = e.getValue();
        if (nowNanos - t.deadlineNanos > 0 && c.abandon(e.getKey()) != null) {
          dispatcher.answerPick(t, false);
          dispatcher.fail(
              t,
              Kind.TIMED_OUT,
              "task timed out after " + t.spec.timeout() + " on node " + c.nodeId());
        }
      }
    }
  }

  private void expireWaiting(TaskAttempt t) {
    if (t.lastNoFit != null) {
      dispatcher.fail(t, Kind.NO_NODE_FITS, t.lastNoFit + " (waited " + t.spec.timeout() + ")");
    } else {
      dispatcher.fail(
          t,
          Kind.TIMED_OUT,
          "task timed out after " + t.spec.timeout() + " waiting for a worker with free capacity");
    }
  }
}
