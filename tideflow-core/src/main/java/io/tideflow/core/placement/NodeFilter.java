package io.tideflow.core.placement;

import io.tideflow.core.model.NodeAllocation;
import io.tideflow.core.model.NodeInfo;

/**
 * One reason a node cannot take a piece of work. Called by {@link PolicyPlacement} for each
 * candidate node, on the caller's thread; must be pure and fast (it runs thousands of times per
 * decision on large clusters) and must not block.
 */
public interface NodeFilter {

  /**
   * Returns null when {@code node} may take the request, otherwise the name under which the
   * rejection is counted in {@link Placement.NoFit#rejectedBy()} (for example {@code cpu} or {@code
   * labels}).
   *
   * @param allocation what is already placed on the node, never null
   * @param scope the decision being made: request, context and per-decision precomputations
   */
  String reject(NodeInfo node, NodeAllocation allocation, DecisionScope scope);

  /**
   * False when this filter admits every node for this decision (the request has no selector, no
   * latency bound…), so the scan can leave it out. Called once per decision. The default is true.
   */
  default boolean appliesTo(DecisionScope scope) {
    return true;
  }
}
