package io.tideflow.core.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a node: {@code JOINING → READY → DRAINING → GONE}. A node may also go straight to
 * {@code GONE} from any state (it died), and a joining node may be drained before it was ready.
 */
public enum NodeState {
  JOINING,
  READY,
  DRAINING,
  GONE;

  /** True when a node in this state may move to {@code next}; staying in place is allowed. */
  public boolean canMoveTo(NodeState next) {
    return this == next || successors().contains(next);
  }

  private Set<NodeState> successors() {
    return switch (this) {
      case JOINING -> EnumSet.of(READY, DRAINING, GONE);
      case READY -> EnumSet.of(DRAINING, GONE);
      case DRAINING -> EnumSet.of(GONE);
      case GONE -> EnumSet.noneOf(NodeState.class);
    };
  }

  /**
   * Returns {@code next} if the move is legal.
   *
   * @throws IllegalStateException naming both states otherwise
   */
  public NodeState moveTo(NodeState next) {
    if (!canMoveTo(next)) {
      throw new IllegalStateException("node state cannot move from " + this + " to " + next);
    }
    return next;
  }
}
