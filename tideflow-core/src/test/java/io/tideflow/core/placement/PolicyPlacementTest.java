package io.tideflow.core.placement;

import static io.tideflow.core.placement.Fixtures.GIB;
import static io.tideflow.core.placement.Fixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.model.AffinityTerm;
import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LabelSelector;
import io.tideflow.core.model.LatencyTable;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PolicyPlacementTest {
  private final PolicyPlacement binPack = new PolicyPlacement(PlacementPolicy.binPack());
  private final PolicyPlacement spread = new PolicyPlacement(PlacementPolicy.spread());

  private static PlacementRequest demand(long cpu, long mem) {
    return PlacementRequest.builder(Resources.of(cpu, mem)).build();
  }

  @Test
  void checksDemandAgainstCapacityMinusWhatIsAlreadyAllocated() {
    ClusterView view = ClusterView.of(1, List.of(node("a"), node("b")));
    Allocations allocs = Allocations.empty().place("a", Resources.of(3500, GIB), Map.of());
    Placement p = binPack.place(demand(1000, GIB), view, PlacementContext.of(allocs));
    assertThat(p).isEqualTo(new Placement.Placed("b"));
  }

  @Test
  void binPackingFillsTheFullerNodeAndSpreadingTheEmptierOne() {
    ClusterView view = ClusterView.of(1, List.of(node("a"), node("b")));
    Allocations allocs = Allocations.empty().place("b", Resources.of(2000, 2 * GIB), Map.of());
    PlacementContext ctx = PlacementContext.of(allocs);
    assertThat(binPack.place(demand(500, GIB), view, ctx)).isEqualTo(new Placement.Placed("b"));
    assertThat(spread.place(demand(500, GIB), view, ctx)).isEqualTo(new Placement.Placed("a"));
  }

  @Test
  void customResourcesAreFilteredAndCountedByName() {
    ClusterView view =
        ClusterView.of(
            1,
            List.of(
                node("gpu", Resources.of(4000, 8 * GIB).withCustom("gpu", 1), Map.of()),
                node("cpu")));
    PlacementRequest req =
        PlacementRequest.builder(Resources.of(100, GIB).withCustom("gpu", 1)).build();
    Allocations allocs = Allocations.empty().place("gpu", req.demand(), Map.of());
    Placement p = binPack.place(req, view, PlacementContext.of(allocs));
    assertThat(p)
        .isInstanceOfSatisfying(
            Placement.NoFit.class,
            nf -> {
              assertThat(nf.rejectedBy()).containsExactlyEntriesOf(Map.of("gpu", 2));
              assertThat(nf.reason()).isEqualTo("no node fits: 2 node(s), 2 rejected by gpu");
            });
  }

  @Test
  void noFitCountsEachNodeUnderTheFirstFilterThatRejectedIt() {
    ClusterView view =
        ClusterView.of(
            1,
            List.of(
                node("draining").withState(NodeState.DRAINING),
                node("small", 100, GIB, Map.of("tier", "edge")),
                node("core", 4000, 8 * GIB, Map.of("tier", "core")),
                node(
                    "tainted",
                    4000,
                    8 * GIB,
                    Map.of("tier", "edge", PlacementRequest.TAINTS_LABEL, "gpu-only"))));
    PlacementRequest req =
        PlacementRequest.builder(Resources.of(1000, GIB))
            .selector(LabelSelector.of(LabelSelector.in("tier", "edge")))
            .build();
    Placement p = spread.place(req, view, PlacementContext.of(Allocations.empty()));
    assertThat(p)
        .isInstanceOfSatisfying(
            Placement.NoFit.class,
            nf ->
                assertThat(nf.rejectedBy())
                    .containsExactlyInAnyOrderEntriesOf(
                        Map.of("state", 1, "cpu", 1, "labels", 1, "taints", 1)));
  }

  @Test
  void taintedNodesTakeOnlyWorkThatToleratesTheTaint() {
    ClusterView view =
        ClusterView.of(
            1, List.of(node("t", 4000, 8 * GIB, Map.of(PlacementRequest.TAINTS_LABEL, "batch"))));
    PlacementRequest tolerant =
        PlacementRequest.builder(Resources.of(1, 1)).tolerations(Set.of("batch")).build();
    assertThat(spread.place(tolerant, view, PlacementContext.of(Allocations.empty())))
        .isEqualTo(new Placement.Placed("t"));
    assertThat(spread.place(demand(1, 1), view, PlacementContext.of(Allocations.empty())))
        .isInstanceOf(Placement.NoFit.class);
  }

  @Test
  void antiAffinitySpreadsReplicasOverZones() {
    ClusterView view =
        ClusterView.of(
            1,
            List.of(
                node("a1", 4000, 8 * GIB, Map.of("zone", "a")),
                node("a2", 4000, 8 * GIB, Map.of("zone", "a")),
                node("b1", 4000, 8 * GIB, Map.of("zone", "b")),
                node("c1", 4000, 8 * GIB, Map.of("zone", "c"))));
    PlacementRequest replica =
        PlacementRequest.builder(Resources.of(100, GIB))
            .workLabels(Map.of("app", "checkout"))
            .antiAffinity(AffinityTerm.sameDomainAs("app", "checkout", "zone"))
            .build();
    Allocations allocs = Allocations.empty();
    Set<String> zones = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      Placement p = binPack.place(replica, view, PlacementContext.of(allocs));
      String nodeId = ((Placement.Placed) p).nodeId();
      zones.add(view.node(nodeId).labels().get("zone"));
      allocs = allocs.place(nodeId, replica.demand(), replica.workLabels());
    }
    assertThat(zones).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(binPack.place(replica, view, PlacementContext.of(allocs)))
        .isInstanceOfSatisfying(
            Placement.NoFit.class,
            nf -> assertThat(nf.rejectedBy()).containsEntry("anti-affinity", 4));
  }

  @Test
  void affinityPutsWorkNextToTheWorkItNames() {
    ClusterView view = ClusterView.of(1, List.of(node("a"), node("b"), node("c")));
    Allocations allocs =
        Allocations.empty().place("b", Resources.of(100, GIB), Map.of("app", "db"));
    PlacementRequest req =
        PlacementRequest.builder(Resources.of(100, GIB))
            .affinity(AffinityTerm.sameNodeAs("app", "db"))
            .build();
    assertThat(spread.place(req, view, PlacementContext.of(allocs)))
        .isEqualTo(new Placement.Placed("b"));
  }

  @Test
  void latencyBoundsAreCheckedAgainstTheSuppliedTable() {
    ClusterView view =
        ClusterView.of(
            1,
            List.of(
                node("far", 4000, 8 * GIB, Map.of("zone", "us-east-1a", "tier", "edge")),
                node("near", 4000, 8 * GIB, Map.of("zone", "eu-west-1a", "tier", "edge")),
                node("core", 4000, 8 * GIB, Map.of("zone", "eu-west-1b", "tier", "core"))));
    LatencyTable table =
        new LatencyTable(
            "zone",
            Map.of(
                "us-east-1a",
                Map.of("eu", 80),
                "eu-west-1a",
                Map.of("eu", 4),
                "eu-west-1b",
                Map.of("eu", 6)));
    PlacementRequest req =
        PlacementRequest.builder(Resources.of(100, GIB))
            .selector(LabelSelector.of(LabelSelector.in("tier", "edge")))
            .latency("eu", 10)
            .build();
    PlacementContext ctx = PlacementContext.of(Allocations.empty()).withLatencies(table);
    assertThat(spread.place(req, view, ctx)).isEqualTo(new Placement.Placed("near"));
  }

  @Test
  void dataLocalityPrefersNodesHoldingTheTasksData() {
    ClusterView view =
        ClusterView.of(
            1,
            List.of(
                node("a"),
                node("b", 4000, 8 * GIB, Map.of(PlacementRequest.DATA_PREFIX + "orders-7", "")),
                node("c")));
    PolicyPlacement local =
        new PolicyPlacement(
            PlacementPolicy.builder()
                .score(Scorers.LEAST_ALLOCATED, 1)
                .score(Scorers.DATA_LOCALITY, 2)
                .build());
    PlacementRequest req =
        PlacementRequest.builder(Resources.of(100, GIB)).dataKey("orders-7").build();
    assertThat(local.place(req, view, PlacementContext.of(Allocations.empty())))
        .isEqualTo(new Placement.Placed("b"));
  }

  @Test
  void balancedAllocationPrefersTheNodeLeftEvenlyUsed() {
    ClusterView view = ClusterView.of(1, List.of(node("cpuHeavy"), node("memHeavy")));
    Allocations allocs =
        Allocations.empty()
            .place("cpuHeavy", Resources.of(3000, GIB), Map.of())
            .place("memHeavy", Resources.of(500, 6 * GIB), Map.of());
    PolicyPlacement balanced =
        new PolicyPlacement(
            PlacementPolicy.builder().score(Scorers.BALANCED_ALLOCATION, 1).build());
    // A memory-hungry task evens out cpuHeavy (cpu 0.875 → mem 0.625) and skews memHeavy further.
    assertThat(balanced.place(demand(500, 4 * GIB), view, PlacementContext.of(allocs)))
        .isEqualTo(new Placement.Placed("cpuHeavy"));
  }

  @Test
  void hybridPacksUntilTheThresholdThenSpreads() {
    ClusterView view = ClusterView.of(1, List.of(node("a"), node("b")));
    PolicyPlacement hybrid = new PolicyPlacement(PlacementPolicy.hybrid(1));
    Allocations allocs = Allocations.empty().place("a", Resources.of(1000, GIB), Map.of());
    // a at 25% + 25% = 50%: still at the threshold, so pack onto a.
    assertThat(hybrid.place(demand(1000, GIB), view, PlacementContext.of(allocs)))
        .isEqualTo(new Placement.Placed("a"));
    allocs = allocs.place("a", Resources.of(1000, GIB), Map.of());
    // a would go to 75%: over the threshold, so the emptier b wins.
    assertThat(hybrid.place(demand(1000, GIB), view, PlacementContext.of(allocs)))
        .isEqualTo(new Placement.Placed("b"));
  }

  @Test
  void topKChoosesAmongTheBestWithTheCallersRandomness() {
    ClusterView view = ClusterView.of(1, List.of(node("a"), node("b"), node("c"), node("d")));
    PolicyPlacement top2 =
        new PolicyPlacement(PlacementPolicy.spread().toBuilder().topK(2).build());
    Allocations allocs =
        Allocations.empty()
            .place("c", Resources.of(2000, GIB), Map.of())
            .place("d", Resources.of(2000, GIB), Map.of());
    Set<String> chosen = new HashSet<>();
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 50; i++) {
      Placement p =
          top2.place(demand(100, GIB), view, PlacementContext.of(allocs).withRandom(random));
      chosen.add(((Placement.Placed) p).nodeId());
    }
    assertThat(chosen).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void theTaskSpecFormKeepsTheEqualitySelectorAndExclusions() {
    ClusterView view =
        ClusterView.of(
            1,
            List.of(
                node("a", 4000, 8 * GIB, Map.of("tier", "edge")),
                node("b", 4000, 8 * GIB, Map.of("tier", "edge")),
                node("c")));
    TaskSpec task = TaskSpec.builder("h").labelSelector(Map.of("tier", "edge")).build();
    LiveLoad excludeA =
        new LiveLoad() {
          @Override
          public int inFlight(String nodeId) {
            return 0;
          }

          @Override
          public boolean excluded(String nodeId) {
            return nodeId.equals("a");
          }
        };
    assertThat(spread.place(task, view, excludeA)).isEqualTo(new Placement.Placed("b"));
  }

  @Test
  void leastInFlightScoringPrefersTheNodeWithFewerRequestsPerCore() {
    ClusterView view =
        ClusterView.of(
            1, List.of(node("a", 1000, 8 * GIB, Map.of()), node("b", 4000, 8 * GIB, Map.of())));
    LiveLoad load =
        new LiveLoad() {
          @Override
          public int inFlight(String nodeId) {
            return nodeId.equals("a") ? 3 : 8;
          }

          @Override
          public boolean excluded(String nodeId) {
            return false;
          }
        };
    PolicyPlacement p =
        new PolicyPlacement(PlacementPolicy.builder().score(Scorers.LEAST_IN_FLIGHT, 1).build());
    // a: 3 per core, b: 2 per core.
    assertThat(p.place(TaskSpec.builder("x").build(), view, load))
        .isEqualTo(new Placement.Placed("b"));
  }

  @Test
  void samplingStopsAfterEnoughFeasibleNodesAndRotatesTheStart() {
    List<NodeInfo> nodes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      nodes.add(node(String.format("n%04d", i)));
    }
    ClusterView view = ClusterView.of(1, nodes);
    PolicyPlacement sampled =
        new PolicyPlacement(
            PlacementPolicy.binPack().toBuilder().sampling(new Sampling(5, 20)).build());
    PlacementResult r =
        sampled.decide(
            demand(100, GIB), view, PlacementContext.of(Allocations.empty()).withStartIndex(990));
    assertThat(r.nodesExamined()).isEqualTo(50);
    assertThat(r.nextStartIndex()).isEqualTo(40);
  }
}
