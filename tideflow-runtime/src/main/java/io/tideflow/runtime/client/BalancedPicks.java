package io.tideflow.runtime.client;

import io.tideflow.core.balance.Balancer;
import io.tideflow.core.balance.PickResult;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The dispatcher's use of the balancer for unconstrained tasks: picks a node, and answers every
 * pick exactly once — with the attempt's outcome, or as an instant success for a pick that was not
 * sent, which leaves no failure behind. Called by the dispatch loop (picks) and by whichever thread
 * ends an attempt (answers).
 */
final class BalancedPicks {
  private final Balancer balancer;
  private final ClientClock clock;

  BalancedPicks(Balancer balancer, ClientClock clock) {
    this.balancer = balancer;
    this.clock = clock;
  }

  /**
   * The node to send {@code attempt} to, or null when the balancer has no usable one. When the pick
   * is the node that just turned the attempt back, picks once more: P2C then lands elsewhere more
   * often than not, and placement's own retry covers the rest.
   */
  String pick(TaskAttempt attempt, long nowNanos) {
    PickResult pick = balancer.picker().pick(ThreadLocalRandom.current().nextLong(), nowNanos);
    if (!(pick instanceof PickResult.Chosen chosen)) {
      return null;
    }
    String nodeId = chosen.endpoint().id();
    if (nodeId.equals(attempt.avoidNode)) {
      PickResult again = balancer.picker().pick(ThreadLocalRandom.current().nextLong(), nowNanos);
      if (again instanceof PickResult.Chosen other && !other.endpoint().id().equals(nodeId)) {
        unsent(nodeId, nowNanos);
        nodeId = other.endpoint().id();
      }
    }
    return nodeId;
  }

  /** A pick that was not sent (no free credit, or closing): answered as an instant success. */
  void unsent(String nodeId, long nowNanos) {
    balancer.onResult(nodeId, 0, true, nowNanos);
  }

  /** Tells the balancer how the attempt it picked ended. */
  void answer(TaskAttempt attempt, boolean success) {
    String picked = attempt.pickedNode;
    if (picked != null) {
      attempt.pickedNode = null;
      long now = clock.nanos();
      balancer.onResult(picked, ClientClock.elapsed(attempt.sentNanos, now), success, now);
    }
  }
}
