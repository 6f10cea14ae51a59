package io.tideflow.core.autoscale;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of a {@link PoolReconciler} step, in the shape of a state machine that returns what
 * to keep and what to do instead of doing it: the new bookkeeping, the actions to carry out in
 * order, and — for a decision step — the decision log line.
 */
public record PoolResult(
    PoolBook book, List<PoolAction> actions, Optional<DecisionRecord> decision) {
  public PoolResult {
    if (book == null || decision == null) {
      throw new IllegalArgumentException("book and decision must not be null");
    }
    actions = List.copyOf(actions);
  }
}
