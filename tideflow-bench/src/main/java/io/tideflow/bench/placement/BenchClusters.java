package io.tideflow.bench.placement;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LabelSelector;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Seeded clusters, allocations and requests shared by the placement benchmarks. */
final class BenchClusters {
  private BenchClusters() {}

  static final long NODE_CPU = 8000;
  static final long NODE_MEM = 32L << 30;
  private static final String[] ZONES = {"eu-1a", "eu-1b", "eu-1c", "us-1a"};

  static ClusterView cluster(int n) {
    List<NodeInfo> nodes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Map<String, String> labels =
          Map.of("zone", ZONES[i % ZONES.length], "tier", i % 10 == 0 ? "edge" : "core");
      nodes.add(
          new NodeInfo(
              String.format("node-%05d", i),
              "bench",
              "10.0.0.1:7000",
              labels,
              Resources.of(NODE_CPU, NODE_MEM),
              NodeState.READY,
              LoadReport.NONE));
    }
    return ClusterView.of(1, nodes);
  }

  /**
   * Every node filled to a random 0–70% of cpu and memory, so nodes differ and some are full-ish.
   */
  static Allocations halfFull(ClusterView view, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Allocations a = Allocations.empty();
    for (NodeInfo n : view.nodes()) {
      double f = r.nextDouble(0, 0.7);
      a = a.place(n.id(), Resources.of((long) (f * NODE_CPU), (long) (f * NODE_MEM)), Map.of());
    }
    return a;
  }

  /** Small to medium requests, a quarter with a label selector. */
  static PlacementRequest[] requests(int count, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    PlacementRequest[] out = new PlacementRequest[count];
    for (int i = 0; i < count; i++) {
      PlacementRequest.Builder b =
          PlacementRequest.builder(
              Resources.of(r.nextLong(100, 2001), r.nextLong(256, 4097) << 20));
      if (i % 4 == 0) {
        b.selector(LabelSelector.of(LabelSelector.notIn("zone", "us-1a")));
      }
      out[i] = b.build();
    }
    return out;
  }
}
