package io.tideflow.core.autoscale;

import java.time.Instant;

/** Something a {@link PoolReconciler} step asks the runtime to do; the runtime reports back. */
public sealed interface PoolAction {

  /** Launch {@code count} nodes of the pool's template; report a {@link PoolEvent.Launched}. */
  record Launch(int count) implements PoolAction {
    public Launch {
      if (count <= 0) {
        throw new IllegalArgumentException("count must be > 0, was " + count);
      }
    }
  }

  /**
   * Drain {@code nodeId} under the leadership's fencing token; report a {@link PoolEvent.Drained}.
   */
  record Drain(String nodeId) implements PoolAction {}

  /** Why a node is terminated. */
  enum Why {
    /** The pool shrinks; the node was drained first. */
    DOWN,
    /** It has been missing from the registry too long: dead, hung, or never came up. */
    LOST,
    /** An earlier termination of it failed. */
    RETRY
  }

  /**
   * Terminate {@code nodeId}; report {@link PoolEvent.Terminated} or {@link
   * PoolEvent.TerminationFailed}.
   *
   * @param failures how many earlier terminations of it failed
   */
  record Terminate(String nodeId, Why why, int failures) implements PoolAction {}

  /**
   * A termination failed {@code failures} times and is tried again at {@code at} (by the first step
   * at or after it); nothing to do but say so, or wake up then.
   */
  record RetryAt(String nodeId, Instant at, int failures, String error) implements PoolAction {}
}
