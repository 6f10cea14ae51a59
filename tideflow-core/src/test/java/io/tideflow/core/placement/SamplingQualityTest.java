package io.tideflow.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What sampling (kube-scheduler's percentageOfNodesToScore with a rotating start) costs in
 * quality, measured on bin-packing: the same demands placed with exhaustive and with sampled
 * scoring, comparing nodes used and, decision by decision, the chosen node's score against the
 * best score an exhaustive scan would have found on the same state. Demands arrive unsorted (the
 * online case), on a cluster big enough that nobody runs out of room.
 */
class SamplingQualityTest {
  static final int NODES = 2000;
  static final int TASKS = 3000;
  static final Sampling SAMPLED = new Sampling(5, 50);

  @Test
  void sampledBinPackingStaysCloseToExhaustiveOnNodesUsedAndScore() {
    ClusterView view = PackingEfficiencyTest.cluster(NODES);
    List<Resources> demands = Workloads.generate(Workloads.Mix.UNIFORM, TASKS, 11);
    PolicyPlacement exhaustive = new PolicyPlacement(PlacementPolicy.binPack());
    PolicyPlacement sampled = new PolicyPlacement(PlacementPolicy.binPack().toBuilder().sampling(SAMPLED).build());

    int exhaustiveNodes = PackingReport.of(view, PackingEfficiencyTest.placeAll(exhaustive, view, demands)).nodesUsed();

    PlacementContext ctx = PlacementContext.of(Allocations.empty());
    double ratioSum = 0;
    long examined = 0;
    for (Resources d : demands) {
      PlacementRequest req = PlacementRequest.builder(d).build();
      PlacementResult best = exhaustive.decide(req, view, ctx);
      PlacementResult r = sampled.decide(req, view, ctx);
      ratioSum += r.score() / best.score();
      examined += r.nodesExamined();
      String node = ((Placement.Placed) r.placement()).nodeId();
      ctx = ctx.withAllocations(ctx.allocations().place(node, d, Map.of())).withStartIndex(r.nextStartIndex());
    }
    int sampledNodes = PackingReport.of(view, ctx.allocations()).nodesUsed();
    double meanScoreRatio = ratioSum / TASKS;
    double nodesRatio = (double) sampledNodes / exhaustiveNodes;
    System.out.printf(
        "sampling %s on %d nodes, %d tasks (arrival order): mean score ratio %.3f, nodes used %d vs %d exhaustive (%.3fx), mean nodes examined %.1f%n",
        SAMPLED, NODES, TASKS, meanScoreRatio, sampledNodes, exhaustiveNodes, nodesRatio, (double) examined / TASKS);
    // Measured (seed 11): score ratio 0.64, nodes 665 vs 638 (1.04x). The per-decision score
    // falls a lot because the sample rarely holds the one nearly full node an exhaustive scan
    // finds, yet the packing barely suffers: the bounds guard against regressions of either.
    assertThat(meanScoreRatio).isBetween(0.55, 1.0);
    assertThat(nodesRatio).isBetween(0.95, 1.10);
  }
}
