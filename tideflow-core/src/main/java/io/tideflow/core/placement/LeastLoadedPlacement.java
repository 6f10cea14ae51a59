package io.tideflow.core.placement;

import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Filters to READY nodes that are not excluded, carry the selected labels and whose capacity holds
 * the task's demand; then picks the one with the fewest tasks in flight per cpu core, the first
 * by id on a tie. Because the caller's in-flight count rises with each task it sends, equal nodes
 * take turns. Demand is checked against capacity, not against what is already allocated: this is
 * load balancing, not bin packing.
 *
 * <p>Filters are counted under the names {@code state}, {@code excluded}, {@code labels} and the
 * resource that fell short ({@code cpu}, {@code memory}, {@code network} or a custom name).
 */
public final class LeastLoadedPlacement implements PlacementStrategy {

  @Override
  public Placement place(TaskSpec task, ClusterView view, LiveLoad load) {
    List<NodeInfo> nodes = view.nodes();
    int n = nodes.size();
    NodeInfo best = null;
    double bestScore = Double.MAX_VALUE;
    Map<String, Integer> rejected = null;
    for (int i = 0; i < n; i++) {
      NodeInfo node = nodes.get(i);
      String rejection = filter(task, node, load);
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
      return new Placement.NoFit(n, rejected == null ? Map.of() : rejected);
    }
    return new Placement.Placed(best.id());
  }

  private static String filter(TaskSpec task, NodeInfo node, LiveLoad load) {
    if (node.state() != NodeState.READY) {
      return "state";
    }
    if (load.excluded(node.id())) {
      return "excluded";
    }
    if (!task.selects(node)) {
      return "labels";
    }
    return task.demand().firstShortfall(node.capacity());
  }
}
