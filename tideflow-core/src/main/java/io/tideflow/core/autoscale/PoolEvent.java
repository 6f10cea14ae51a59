package io.tideflow.core.autoscale;

/** What became of a {@link PoolAction}, fed back to {@link PoolReconciler#on}. */
public sealed interface PoolEvent {

  /** A launch finished; {@code ok} false when the provider could not start every node. */
  record Launched(boolean ok) implements PoolEvent {}

  /** How a drain ended. */
  enum DrainOutcome {
    /** The node finished its tasks (or the drain timeout passed). */
    DRAINED,
    /** The node could not be reached or is gone: it is terminated anyway. */
    UNREACHABLE,
    /** The node refused the fencing token: a newer leader owns it, so it is left alone. */
    STALE_TOKEN
  }

  record Drained(String nodeId, DrainOutcome outcome) implements PoolEvent {}

  /** The provider confirmed that {@code nodeId} is gone. */
  record Terminated(String nodeId) implements PoolEvent {}

  record TerminationFailed(String nodeId, String error) implements PoolEvent {}
}
