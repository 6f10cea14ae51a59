package io.tideflow.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeastLoadedPlacementTest {
  private final PlacementStrategy placement = new LeastLoadedPlacement();

  private static NodeInfo node(String id, NodeState state, long cpu, Map<String, String> labels) {
    return new NodeInfo(
        id,
        "in-process",
        "127.0.0.1:1",
        labels,
        Resources.of(cpu, 1 << 30),
        state,
        LoadReport.NONE);
  }

  private static LiveLoad load(Map<String, Integer> inFlight, Set<String> excluded) {
    return new LiveLoad() {
      @Override
      public int inFlight(String nodeId) {
        return inFlight.getOrDefault(nodeId, 0);
      }

      @Override
      public boolean excluded(String nodeId) {
        return excluded.contains(nodeId);
      }
    };
  }

  @Test
  void picksTheNodeWithFewestTasksPerCore() {
    ClusterView view =
        ClusterView.of(
            1,
            List.of(
                node("a", NodeState.READY, 1000, Map.of()),
                node("b", NodeState.READY, 4000, Map.of())));
    // a: 3 tasks on 1 core = 3/core; b: 8 tasks on 4 cores = 2/core.
    Placement p =
        placement.place(
            TaskSpec.builder("x").build(), view, load(Map.of("a", 3, "b", 8), Set.of()));
    assertThat(p).isEqualTo(new Placement.Placed("b"));
  }

  @Test
  void equalNodesTakeTurnsAsInFlightGrows() {
    ClusterView view =
        ClusterView.of(
            1,
            List.of(
                node("a", NodeState.READY, 1000, Map.of()),
                node("b", NodeState.READY, 1000, Map.of())));
    Map<String, Integer> inFlight = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      Placement p = placement.place(TaskSpec.builder("x").build(), view, load(inFlight, Set.of()));
      inFlight.merge(((Placement.Placed) p).nodeId(), 1, Integer::sum);
    }
    assertThat(inFlight).containsEntry("a", 5).containsEntry("b", 5);
  }

  @Test
  void explainsWhyNothingFits() {
    ClusterView view =
        ClusterView.of(
            1,
            List.of(
                node("a", NodeState.JOINING, 8000, Map.of("zone", "x")),
                node("b", NodeState.READY, 500, Map.of("zone", "x")),
                node("c", NodeState.READY, 8000, Map.of("zone", "y")),
                node("d", NodeState.READY, 8000, Map.of("zone", "x"))));
    TaskSpec task =
        TaskSpec.builder("x")
            .demand(Resources.of(1000, 1))
            .labelSelector(Map.of("zone", "x"))
            .build();
    Placement p = placement.place(task, view, load(Map.of(), Set.of("d")));
    assertThat(p).isInstanceOf(Placement.NoFit.class);
    Placement.NoFit noFit = (Placement.NoFit) p;
    assertThat(noFit.rejectedBy())
        .containsEntry("state", 1)
        .containsEntry("cpu", 1)
        .containsEntry("labels", 1)
        .containsEntry("excluded", 1);
    assertThat(noFit.reason())
        .isEqualTo(
            "no node fits: 4 node(s), 1 rejected by cpu, 1 rejected by excluded, 1 rejected by"
                + " labels, 1 rejected by state");
  }

  @Test
  void anEmptyClusterSaysSo() {
    Placement p =
        placement.place(TaskSpec.builder("x").build(), ClusterView.empty(), LiveLoad.NONE);
    assertThat(((Placement.NoFit) p).reason()).isEqualTo("no node fits: the cluster has no nodes");
  }

  @Test
  void demandMustFitCapacityLessWhatIsAllocated() {
    ClusterView view =
        ClusterView.of(
            1,
            List.of(
                node("a", NodeState.READY, 2000, Map.of()),
                node("b", NodeState.READY, 2000, Map.of())));
    PlacementRequest oneCore = PlacementRequest.of(Resources.of(1000, 0), Map.of());
    Allocations allocs = Allocations.empty().place("a", Resources.of(1500, 0), Map.of());
    PlacementContext ctx = PlacementContext.of(allocs);
    // a has 500m left: only b fits, though a has fewer tasks in flight.
    assertThat(placement.decide(oneCore, view, ctx).placement())
        .isEqualTo(new Placement.Placed("b"));
    allocs = allocs.place("b", Resources.of(1500, 0), Map.of());
    assertThat(placement.decide(oneCore, view, ctx.withAllocations(allocs)).placement())
        .isEqualTo(new Placement.NoFit(2, Map.of("cpu", 2)));
    // Work without demand is load balancing only: allocations do not keep it off a node.
    assertThat(
            placement.decide(PlacementRequest.NONE, view, ctx.withAllocations(allocs)).placement())
        .isInstanceOf(Placement.Placed.class);
  }
}
