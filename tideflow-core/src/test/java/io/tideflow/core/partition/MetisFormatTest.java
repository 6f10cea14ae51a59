package io.tideflow.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetisFormatTest {
  @Test
  void readsTheManualsWeightedExampleAndWritesItBackAlike() {
    // METIS 5 manual, figure 2(c): vertex and edge weights (fmt 011).
    String text =
        """
        % a comment
        7 11 011
        4 5 1 3 2 2 1
        2 1 1 3 2 4 1
        5 5 3 4 2 2 2 1 2
        3 2 1 3 2 6 2 7 5
        1 1 1 3 3 6 2
        6 5 2 4 2 7 6
        2 6 6 4 5
        """;
    Graph g = MetisFormat.parse(text);
    assertThat(g.vertexCount()).isEqualTo(7);
    assertThat(g.edgeCount()).isEqualTo(11);
    assertThat(g.vertexWeight(0)).isEqualTo(4);
    assertThat(g.totalVertexWeight()).isEqualTo(4 + 2 + 5 + 3 + 1 + 6 + 2);
    Graph again = MetisFormat.parse(MetisFormat.format(g));
    assertThat(MetisFormat.format(again)).isEqualTo(MetisFormat.format(g));

    Partition p =
        new MultilevelPartitioner().partition(g, PartitionRequest.of(2).withImbalance(0.1));
    String written = MetisFormat.formatPartition(p, 7);
    assertThat(written.lines()).hasSize(7);
    assertThat(MetisFormat.parsePartition(written, 7, 2)).isEqualTo(p.assignment());
  }

  @Test
  void aFileThatDisagreesWithItselfIsRefusedNamingTheLine() {
    assertThatThrownBy(() -> MetisFormat.parse("3 2\n2\n1 3\n\n"))
        .hasMessageContaining("header says 2 edges")
        .hasMessageContaining("3 ends of edges");
    assertThatThrownBy(() -> MetisFormat.parse("2 1\n2\n3\n"))
        .hasMessageContaining("line 3: neighbour 3 is not a vertex (1..2)");
    assertThatThrownBy(() -> MetisFormat.parse("3 1\n2\n1\n"))
        .hasMessageContaining("the file ends after 2");
    assertThatThrownBy(() -> MetisFormat.parse("2 1 1\n2 5\n1 4\n"))
        .hasMessageContaining("edge 0-1 weighs 5 but its reverse 1-0 weighs 4");
    assertThatThrownBy(() -> MetisFormat.parse("2 1 100\n2\n1\n"))
        .hasMessageContaining("format '100' is not supported");
    assertThatThrownBy(() -> MetisFormat.parse("x 1\n"))
        .hasMessageContaining("line 1: n must be a number");
    assertThatThrownBy(() -> MetisFormat.parse("")).hasMessageContaining("the graph file is empty");
  }
}
