package io.tideflow.core.placement;

import io.tideflow.core.model.NodeAllocation;
import io.tideflow.core.model.NodeInfo;

/**
 * Rates a node that passed every filter. Called by {@link PolicyPlacement} on the caller's thread;
 * must be pure, fast and non-blocking.
 */
public interface NodeScorer {

  /**
   * Returns a score in [0, 1], higher is better, for placing the request on {@code node}.
   *
   * @param allocation what is already placed on the node (the request not included), never null
   */
  double score(NodeInfo node, NodeAllocation allocation, DecisionScope scope);

  /** A short name for reports and toString. */
  String name();
}
