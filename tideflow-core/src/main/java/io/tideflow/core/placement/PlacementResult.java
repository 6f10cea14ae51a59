package io.tideflow.core.placement;

/**
 * A decision with what it cost.
 *
 * @param placement the node, or why there is none
 * @param score the weighted score of the chosen node (NaN when none was chosen)
 * @param nodesExamined nodes the scan looked at (fewer than the cluster when sampling)
 * @param nextStartIndex where the next sampled scan should start
 */
public record PlacementResult(
    Placement placement, double score, int nodesExamined, int nextStartIndex) {}
