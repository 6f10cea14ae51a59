package io.tideflow.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What sampling (kube-scheduler's percentageOfNodesToScore with a rotating start) costs in quality,
 * measured on bin-packing: the same demands placed with exhaustive and with sampled scoring,
 * comparing nodes used and, decision by decision, the chosen node's score against the best score an
 * exhaustive scan would have found on the same state. Demands arrive unsorted (the online case), on
 * a cluster big enough that nobody runs out of room.
 */
class SamplingQualityTest {
  static final int NODES = 2000;
  static final int TASKS = 3000;

  /**
   * Measured (seed 11), feasible nodes found per decision → mean score ratio, nodes used vs 638
   * exhaustive: 100 (5%) → 0.64, 665 (1.042x); 50 (2.5%) → 0.61, 681 (1.067x). The per-decision
   * score falls a lot because the sample rarely holds the one nearly full node an exhaustive scan
   * finds, yet the packing barely suffers; the bounds guard against regressions of either.
   */
  @ParameterizedTest
  @CsvSource({"5, 0.55, 1.10", "2.5, 0.45, 1.12"})
  void sampledBinPackingStaysCloseToExhaustiveOnNodesUsedAndScore(
      double percentage, double minScoreRatio, double maxNodesRatio) {
    Sampling sampling = new Sampling(percentage, 50);
    ClusterView view = PackingEfficiencyTest.cluster(NODES);
    List<Resources> demands = Workloads.generate(Workloads.Mix.UNIFORM, TASKS, 11);
    PolicyPlacement exhaustive = new PolicyPlacement(PlacementPolicy.binPack());
    PolicyPlacement sampled =
        new PolicyPlacement(PlacementPolicy.binPack().toBuilder().sampling(sampling).build());

    int exhaustiveNodes =
        PackingReport.of(view, PackingEfficiencyTest.placeAll(exhaustive, view, demands))
            .nodesUsed();

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
      ctx =
          ctx.withAllocations(ctx.allocations().place(node, d, Map.of()))
              .withStartIndex(r.nextStartIndex());
    }
    int sampledNodes = PackingReport.of(view, ctx.allocations()).nodesUsed();
    double meanScoreRatio = ratioSum / TASKS;
    double nodesRatio = (double) sampledNodes / exhaustiveNodes;
    System.out.printf(
        "sampling %s on %d nodes, %d tasks (arrival order): mean score ratio %.3f, nodes used %d vs %d exhaustive (%.3fx), mean nodes examined %.1f%n",
        sampling,
        NODES,
        TASKS,
        meanScoreRatio,
        sampledNodes,
        exhaustiveNodes,
        nodesRatio,
        (double) examined / TASKS);
    assertThat(meanScoreRatio).isBetween(minScoreRatio, 1.0);
    assertThat(nodesRatio).isBetween(0.95, maxNodesRatio);
  }
}
