package io.tideflow.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MultilevelPartitionerTest {
  private final Partitioner partitioner = new MultilevelPartitioner();

  /** A {@code rows} × {@code cols} grid, 4-neighbour, unit weights. */
  static Graph grid(int rows, int cols) {
    Graph.Builder b = Graph.builder(rows * cols);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int v = r * cols + c;
        if (c + 1 < cols) {
          b.edge(v, v + 1, 1);
        }
        if (r + 1 < rows) {
          b.edge(v, v + cols, 1);
        }
      }
    }
    return b.build();
  }

  @Test
  void aSquareGridIsCutNearItsOptimumOfOneSideInTwo() {
    Partition p = partitioner.partition(grid(100, 100), PartitionRequest.of(2));
    // The optimum is one straight line of 100 edges; gpmetis -ncuts 4 -ptype rb finds 102.
    assertThat(p.cut()).isBetween(100L, 105L);
    assertWithinBounds(p, PartitionRequest.of(2), 10_000);
  }

  @Test
  void aGridInFourAndEightPartsStaysWithinTheBalanceBound() {
    for (int k : new int[] {4, 8}) {
      Partition p = partitioner.partition(grid(100, 100), PartitionRequest.of(k));
      assertWithinBounds(p, PartitionRequest.of(k), 10_000);
      // Blocks cut 200 (k = 4) and about 350 (k = 8); gpmetis -ncuts 4 finds 207-224 and 429.
      assertThat(p.cut()).isLessThanOrEqualTo(k == 4 ? 230L : 450L);
    }
  }

  private static void assertWithinBounds(Partition p, PartitionRequest request, long total) {
    for (int part = 0; part < request.parts(); part++) {
      assertThat(p.partWeight(part)).isLessThanOrEqualTo(request.maxWeight(part, total));
    }
  }

  @Test
  void sharesFollowTheTargetsGiven() {
    Partition p = partitioner.partition(grid(60, 60), PartitionRequest.of(3).withTargets(1, 2, 3));
    long total = 3600;
    for (int part = 0; part < 3; part++) {
      assertThat(p.partWeight(part))
          .isLessThanOrEqualTo(PartitionRequest.of(3).withTargets(1, 2, 3).maxWeight(part, total));
    }
    assertThat(p.partWeight(2)).isGreaterThan(p.partWeight(1)).isGreaterThan(p.partWeight(0));
  }

  @Test
  void theSameSeedGivesTheSamePartition() {
    Graph g = grid(40, 40);
    assertThat(partitioner.partition(g, PartitionRequest.of(4).withSeed(7)).assignment())
        .isEqualTo(partitioner.partition(g, PartitionRequest.of(4).withSeed(7)).assignment());
  }

  @Test
  void aGraphThatIsNotUndirectedIsRefusedNamingTheEdge() {
    assertThatThrownBy(
            () -> Graph.of(new int[] {0, 1, 1}, new int[] {1}, new int[] {1}, new int[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("edge 0-1 has no reverse");
    assertThatThrownBy(() -> Graph.builder(2).edge(0, 2, 1))
        .hasMessageContaining("vertex 2 is beyond the 2 vertices");
    assertThatThrownBy(() -> PartitionRequest.of(2).withTargets(1, 0))
        .hasMessageContaining("target of part 1 must be > 0");
  }
}
