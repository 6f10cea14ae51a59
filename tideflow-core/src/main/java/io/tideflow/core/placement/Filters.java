package io.tideflow.core.placement;

import io.tideflow.core.model.AffinityTerm;
import io.tideflow.core.model.LatencyBound;
import io.tideflow.core.model.NodeAllocation;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PlacementRequest;
import java.util.List;
import java.util.function.Predicate;

/**
 * The standard filters. Each is counted in {@link Placement.NoFit#rejectedBy()} under the name
 * given here, except {@link #RESOURCES}, counted under the resource that fell short.
 */
public final class Filters {
  private Filters() {}

  /** {@code state}: only READY nodes take work. */
  public static final NodeFilter READY =
      (node, alloc, scope) -> node.state() == NodeState.READY ? null : "state";

  /** {@code excluded}: nodes the caller's {@link LiveLoad} excludes. */
  public static final NodeFilter NOT_EXCLUDED =
      applying(
          (node, alloc, scope) -> scope.context().load().excluded(node.id()) ? "excluded" : null,
          scope -> scope.context().load() != LiveLoad.NONE);

  /**
   * {@code taints}: a node with a taint label the request does not tolerate. Left out of decisions
   * on views where no node is tainted, so untainted clusters do not pay a label lookup per node.
   */
  public static final NodeFilter TAINTS =
      applying(Filters::rejectTaints, DecisionScope::anyTainted);

  /** {@code labels}: the request's label selector. */
  public static final NodeFilter LABELS =
      applying(
          (node, alloc, scope) ->
              scope.request().selector().matches(node.labels()) ? null : "labels",
          scope -> !scope.request().selector().requirements().isEmpty());

  /** {@code latency}: each latency bound against the context's latency table. */
  public static final NodeFilter LATENCY =
      applying(Filters::rejectLatency, scope -> !scope.request().latencyBounds().isEmpty());

  /** {@code affinity} and {@code anti-affinity}: terms against the work already placed. */
  public static final NodeFilter AFFINITY =
      applying(Filters::rejectAffinity, scope -> scope.request().hasAffinity());

  /** Capacity minus allocation must hold the demand, for every resource kind. */
  public static final NodeFilter RESOURCES =
      (node, alloc, scope) ->
          ResourceFit.shortfall(scope.request().demand(), alloc.allocated(), node.capacity());

  /** All of the above, cheapest first. */
  public static final List<NodeFilter> STANDARD =
      List.of(READY, NOT_EXCLUDED, LABELS, TAINTS, RESOURCES, LATENCY, AFFINITY);

  /** A filter that only {@code applies} to some decisions. */
  public static NodeFilter applying(NodeFilter filter, Predicate<DecisionScope> applies) {
    return new NodeFilter() {
      @Override
      public String reject(NodeInfo node, NodeAllocation allocation, DecisionScope scope) {
        return filter.reject(node, allocation, scope);
      }

      @Override
      public boolean appliesTo(DecisionScope scope) {
        return applies.test(scope);
      }
    };
  }

  private static String rejectTaints(NodeInfo node, NodeAllocation alloc, DecisionScope scope) {
    String taints = node.labels().get(PlacementRequest.TAINTS_LABEL);
    if (taints == null) {
      return null;
    }
    for (String taint : taints.split(",")) {
      if (!taint.isBlank() && !scope.request().tolerations().contains(taint.strip())) {
        return "taints";
      }
    }
    return null;
  }

  private static String rejectLatency(NodeInfo node, NodeAllocation alloc, DecisionScope scope) {
    List<LatencyBound> bounds = scope.request().latencyBounds();
    for (int i = 0; i < bounds.size(); i++) {
      LatencyBound bound = bounds.get(i);
      int ms = scope.context().latencies().millis(node, bound.region());
      if (ms < 0 || ms > bound.maxMillis()) {
        return "latency";
      }
    }
    return null;
  }

  private static String rejectAffinity(NodeInfo node, NodeAllocation alloc, DecisionScope scope) {
    List<AffinityTerm> affinity = scope.request().affinity();
    for (int i = 0; i < affinity.size(); i++) {
      String domain = affinity.get(i).domainOf(node);
      if (domain == null || !scope.affinityDomains(i).contains(domain)) {
        return "affinity";
      }
    }
    List<AffinityTerm> anti = scope.request().antiAffinity();
    for (int i = 0; i < anti.size(); i++) {
      String domain = anti.get(i).domainOf(node);
      // A node outside every domain of the key (no such label) cannot share one with the work.
      if (domain != null && scope.antiAffinityDomains(i).contains(domain)) {
        return "anti-affinity";
      }
    }
    return null;
  }
}
