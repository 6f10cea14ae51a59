package io.tideflow.core.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** What every partition promises, on random graphs of random weights and shares. */
class PartitionerPropertiesTest {
  private final Partitioner partitioner = new MultilevelPartitioner(2);

  /**
   * Every vertex is in a part that exists, and no part weighs more than its bound: its share times
   * {@code 1 + imbalance}, the imbalance raised where needed so that every part's slack holds the
   * heaviest vertex (otherwise no assignment may exist).
   */
  @Property(tries = 60)
  void everyVertexIsPlacedAndNoPartPassesItsBound(
      @ForAll @IntRange(min = 300, max = 3000) int vertices,
      @ForAll @IntRange(min = 1, max = 8) int parts,
      @ForAll @IntRange(min = 1, max = 6) int averageDegree,
      @ForAll @DoubleRange(min = 0.03, max = 0.3) double imbalance,
      @ForAll boolean unequalShares,
      @ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Graph g = random(vertices, averageDegree, r);
    PartitionRequest request = PartitionRequest.of(parts).withImbalance(imbalance).withSeed(seed);
    if (unequalShares) {
      double[] shares = new double[parts];
      for (int p = 0; p < parts; p++) {
        shares[p] = 1 + r.nextInt(3);
      }
      request = request.withTargets(shares);
    }
    // Feasible: a part's slack over its share is at least the heaviest vertex (4).
    double smallest = 1;
    for (int p = 0; p < parts; p++) {
      smallest = Math.min(smallest, request.target(p));
    }
    double slack = smallest * g.totalVertexWeight() * imbalance;
    if (slack < 4) {
      request = request.withImbalance(Math.min(1, 4 / (smallest * g.totalVertexWeight())));
    }

    Partition p = partitioner.partition(g, request);

    long total = g.totalVertexWeight();
    for (int v = 0; v < vertices; v++) {
      assertThat(p.part(v)).isBetween(0, parts - 1);
    }
    long sum = 0;
    for (int part = 0; part < parts; part++) {
      assertThat(p.partWeight(part))
          .as("part %d of %s", part, request)
          .isLessThanOrEqualTo(request.maxWeight(part, total));
      sum += p.partWeight(part);
    }
    assertThat(sum).isEqualTo(total);
    assertThat(p.cut()).isEqualTo(Partition.cut(g, p.assignment()));
  }

  /** A random graph: {@code vertices} of weight 1 to 4, about {@code degree} edges each. */
  static Graph random(int vertices, int degree, SplittableRandom r) {
    Graph.Builder b = Graph.builder(vertices);
    for (int v = 0; v < vertices; v++) {
      b.vertexWeight(v, 1 + r.nextInt(4));
    }
    for (int e = 0; e < vertices * degree / 2; e++) {
      int u = r.nextInt(vertices);
      int v = r.nextInt(vertices);
      if (u != v) {
        b.edge(u, v, 1 + r.nextInt(10));
      }
    }
    return b.build();
  }
}
