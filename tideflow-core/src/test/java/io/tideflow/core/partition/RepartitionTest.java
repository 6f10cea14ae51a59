package io.tideflow.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A partition kept up as nodes join and leave: the bounds met, few vertices moved. */
class RepartitionTest {
  private final Partitioner partitioner = new MultilevelPartitioner();
  private final Graph grid = MultilevelPartitionerTest.grid(60, 60);

  @Test
  void aNodeThatJoinsTakesItsShareWhileAtMostTwiceTheNeededVerticesMove() {
    Partition four = partitioner.partition(grid, PartitionRequest.of(4));
    PartitionRequest five = PartitionRequest.of(5).withCurrent(four.assignment());

    Partition after = partitioner.partition(grid, five);

    long total = grid.totalVertexWeight();
    long needed = 0;
    for (int p = 0; p < 4; p++) {
      needed += Math.max(0, four.partWeight(p) - five.maxWeight(p, total));
    }
    int moved = Repartition.moved(after.assignment(), four.assignment());
    for (int p = 0; p < 5; p++) {
      assertThat(after.partWeight(p)).isLessThanOrEqualTo(five.maxWeight(p, total));
    }
    assertThat(needed).isGreaterThan(500); // each old part sheds about a fifth
    assertThat((long) moved).isBetween(needed, 2 * needed);
    // Not a scatter: the new part is a region, the cut near a fresh five-way cut's.
    long fresh = partitioner.partition(grid, PartitionRequest.of(5)).cut();
    assertThat(after.cut()).isLessThanOrEqualTo(2 * fresh);
  }

  @Test
  void theVerticesOfANodeThatLeftArePlacedAndNoOtherVertexMoves() {
    Partition four = partitioner.partition(grid, PartitionRequest.of(4));
    int[] current = four.assignment();
    for (int v = 0; v < current.length; v++) {
      if (current[v] == 3) {
        current[v] = -1; // its node is gone
      }
    }
    PartitionRequest three = PartitionRequest.of(3).withCurrent(current);

    Partition after = partitioner.partition(grid, three);

    for (int p = 0; p < 3; p++) {
      assertThat(after.partWeight(p))
          .isLessThanOrEqualTo(three.maxWeight(p, grid.totalVertexWeight()));
    }
    assertThat(Repartition.moved(after.assignment(), current)).isZero();
  }

  @Test
  void aMoveBudgetIsKeptBeyondWhatTheBoundsNeed() {
    Partition four = partitioner.partition(grid, PartitionRequest.of(4));
    // Shares changed a little: part 0's node got more capacity.
    PartitionRequest shifted =
        PartitionRequest.of(4).withTargets(1.2, 1, 1, 1).withCurrent(four.assignment(), 150);

    Partition after = partitioner.partition(grid, shifted);

    int moved = Repartition.moved(after.assignment(), four.assignment());
    for (int p = 0; p < 4; p++) {
      assertThat(after.partWeight(p))
          .isLessThanOrEqualTo(shifted.maxWeight(p, grid.totalVertexWeight()));
    }
    assertThat(moved).isPositive().isLessThanOrEqualTo(150);
  }

  @Test
  void aCurrentAssignmentBeyondTheRequestsPartsIsRefused() {
    assertThatThrownBy(() -> PartitionRequest.of(2).withCurrent(new int[] {0, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("current part of vertex 1 must be -1 or in [0, 2), was 2");
  }
}
