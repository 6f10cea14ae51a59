package io.tideflow.core.placement;

import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeAllocation;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PlacementRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Filters to READY nodes that are not excluded, match the label selector and whose capacity less
 * what the context has allocated there holds the demand; then picks the one with the fewest tasks
 * in flight per cpu core, the first by id on a tie. Because the caller's in-flight count rises with
 * each task it sends, equal nodes take turns. Work without demand is plain load balancing; work
 * with demand holds it (as a Ray resource request does) until the caller releases it.
 *
 * <p>Only the request's demand and selector are looked at: affinity, taints, latency bounds and
 * data locality are {@link PolicyPlacement}'s. Filters are counted under the names {@code state},
 * {@code excluded}, {@code labels} and the resource that fell short ({@code cpu}, {@code memory},
 * {@code network} or a custom name).
 */
public final class LeastLoadedPlacement implements PlacementStrategy {

  @Override
  public PlacementResult decide(
      PlacementRequest request, ClusterView view, PlacementContext context) {
    List<NodeInfo> nodes = view.nodes();
    int n = nodes.size();
    LiveLoad load = context.load();
    boolean holds = request.holdsResources();
    NodeInfo best = null;
    double bestScore = Double.MAX_VALUE;
    Map<String, Integer> rejected = null;
    for (int i = 0; i < n; i++) {
      NodeInfo node = nodes.get(i);
      String rejection = filter(request, node, load);
      if (rejection == null && holds) {
        NodeAllocation alloc = context.allocations().of(node.id());
        rejection = ResourceFit.shortfall(request.demand(), alloc.allocated(), node.capacity());
      }
      if (rejection != null) {
        if (rejected == null) {
          rejected = new HashMap<>();
        }
        rejected.merge(rejection, 1, Integer::sum);
        continue;
      }
      double cores = Math.max(1, node.capacity().cpuMillis()) / 1000.0;
      double score = load.inFlight(node.id()) / cores;
      if (score < bestScore) {
        best = node;
        bestScore = score;
      }
    }
    if (best == null) {
      return new PlacementResult(
          new Placement.NoFit(n, rejected == null ? Map.of() : rejected), Double.NaN, n, 0);
    }
    return new PlacementResult(new Placement.Placed(best.id()), bestScore, n, 0);
  }

  private static String filter(PlacementRequest request, NodeInfo node, LiveLoad load) {
    if (node.state() != NodeState.READY) {
      return "state";
    }
    if (load.excluded(node.id())) {
      return "excluded";
    }
    if (!request.selector().matches(node.labels())) {
      return "labels";
    }
    return null;
  }
}
