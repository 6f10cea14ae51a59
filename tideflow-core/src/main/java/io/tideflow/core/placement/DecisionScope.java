package io.tideflow.core.placement;

import io.tideflow.core.model.AffinityTerm;
import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.PlacementRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One placement decision as filters and scorers see it: the request, the caller's context, and what
 * is worth computing once per decision rather than once per node (the topology domains that already
 * run the work named by each affinity term, the data label to look for).
 */
public final class DecisionScope {
  private final PlacementRequest request;
  private final PlacementContext context;
  private final List<Set<String>> affinityDomains;
  private final List<Set<String>> antiAffinityDomains;
  private final String dataLabel;
  private final boolean anyTainted;

  DecisionScope(PlacementRequest request, ClusterView view, PlacementContext context) {
    this.request = request;
    this.context = context;
    this.affinityDomains = domains(request.affinity(), view, context.allocations());
    this.antiAffinityDomains = domains(request.antiAffinity(), view, context.allocations());
    this.dataLabel =
        request.dataKey().isEmpty() ? null : PlacementRequest.DATA_PREFIX + request.dataKey();
    this.anyTainted = view.taintedNodes() > 0;
  }

  private static List<Set<String>> domains(
      List<AffinityTerm> terms, ClusterView view, Allocations allocations) {
    if (terms.isEmpty()) {
      return List.of();
    }
    List<Set<String>> all = new ArrayList<>(terms.size());
    for (AffinityTerm term : terms) {
      Set<String> domains = new HashSet<>();
      allocations.forEachNodeRunning(
          term.workLabelKey(),
          term.workLabelValue(),
          nodeId -> {
            NodeInfo node = view.node(nodeId);
            String domain = node == null ? null : term.domainOf(node);
            if (domain != null) {
              domains.add(domain);
            }
          });
      all.add(domains);
    }
    return all;
  }

  public PlacementRequest request() {
    return request;
  }

  public PlacementContext context() {
    return context;
  }

  /** For affinity term i, the domains that already run its work. */
  public Set<String> affinityDomains(int i) {
    return affinityDomains.get(i);
  }

  /** For anti-affinity term i, the domains that already run its work. */
  public Set<String> antiAffinityDomains(int i) {
    return antiAffinityDomains.get(i);
  }

  /** True when some node of the view carries taints ({@link ClusterView#taintedNodes}). */
  public boolean anyTainted() {
    return anyTainted;
  }

  /** The node label that advertises the request's data key, or null when it has none. */
  public String dataLabel() {
    return dataLabel;
  }
}
