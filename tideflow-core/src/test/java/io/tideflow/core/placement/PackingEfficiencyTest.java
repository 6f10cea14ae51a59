package io.tideflow.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bin-packing quality on deterministic workload mixes, against the lower bound of {@link
 * PackingReport}. Placement is online, so the test feeds demands largest first (by their larger
 * share of a node), which makes the most-allocated policy a best-fit-decreasing packer; fed in
 * arrival order it packs worse, and that is not what is asserted here.
 */
class PackingEfficiencyTest {
  static final int TASKS = 2000;
  static final int NODES = 800;

  static ClusterView cluster(int n) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(
          Fixtures.node(
              String.format("n%05d", i), Workloads.NODE_CPU, Workloads.NODE_MEM, Map.of()));
    }
    return ClusterView.of(1, nodes);
  }

  /** Places every demand in order and returns the final allocations; fails if any does not fit. */
  static Allocations placeAll(
      PolicyPlacement placement, ClusterView view, List<Resources> demands) {
    PlacementContext ctx = PlacementContext.of(Allocations.empty());
    for (Resources d : demands) {
      PlacementResult r = placement.decide(PlacementRequest.builder(d).build(), view, ctx);
      assertThat(r.placement()).isInstanceOf(Placement.Placed.class);
      String node = ((Placement.Placed) r.placement()).nodeId();
      ctx =
          ctx.withAllocations(ctx.allocations().place(node, d, Map.of()))
              .withStartIndex(r.nextStartIndex());
    }
    return ctx.allocations();
  }

  @ParameterizedTest
  @EnumSource(Workloads.Mix.class)
  void binPackingUsesAtMostFivePercentMoreNodesThanTheLowerBound(Workloads.Mix mix) {
    ClusterView view = cluster(NODES);
    List<Resources> demands = Workloads.decreasing(Workloads.generate(mix, TASKS, 7));
    PackingReport report =
        PackingReport.of(
            view, placeAll(new PolicyPlacement(PlacementPolicy.binPack()), view, demands));
    System.out.printf(
        "%s: nodes used %d, lower bound %d, ratio %.3f, cpu efficiency %.3f, memory efficiency %.3f%n",
        mix,
        report.nodesUsed(),
        report.lowerBound(),
        report.ratioToLowerBound(),
        report.byResource().get("cpu").efficiency(),
        report.byResource().get("memory").efficiency());
    assertThat(report.ratioToLowerBound()).isLessThanOrEqualTo(1.05);
    assertThat(report.byResource().values())
        .anySatisfy(kind -> assertThat(kind.efficiency()).isGreaterThanOrEqualTo(0.95));
  }
}
