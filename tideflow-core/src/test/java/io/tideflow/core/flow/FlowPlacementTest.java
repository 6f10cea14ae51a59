package io.tideflow.core.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.model.Resources;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowPlacementTest {
  private static Flow pipeline() {
    Resources cpu = Resources.of(500, 0);
    return Flow.builder("p")
        .process("source", "sequence", 4, cpu, List.of(), List.of("out"))
        .process("parse", "pass", 4, cpu, List.of("in"), List.of("out"))
        .process("sink", "discard", 4, cpu, List.of("in"), List.of())
        .connect("source.out", "parse.in", Routing.FORWARD, 64)
        .connect("parse.out", "sink.in", Routing.FORWARD, 64)
        .build();
  }

  @Test
  void keepsEachForwardChainOnOneNode() {
    Flow flow = pipeline();
    Map<Connection, Double> rates = new HashMap<>();
    flow.connections().forEach(c -> rates.put(c, 100_000.0));
    FlowPlacement.Result r =
        new FlowPlacement()
            .place(
                flow,
                rates,
                List.of(new FlowPlacement.Node("b", 4000), new FlowPlacement.Node("a", 4000)),
                Map.of(),
                0.03);
    assertThat(r.nodes()).hasSize(12);
    assertThat(r.cut()).isZero();
    for (int i = 0; i < 4; i++) {
      assertThat(r.nodes().get("parse#" + i)).isEqualTo(r.nodes().get("source#" + i));
      assertThat(r.nodes().get("sink#" + i)).isEqualTo(r.nodes().get("source#" + i));
    }
    assertThat(r.nodes().values().stream().filter("a"::equals).count()).isEqualTo(6);
  }

  @Test
  void movesOnlyTheInstancesOfANodeThatIsGone() {
    Flow flow = pipeline();
    List<FlowPlacement.Node> three =
        List.of(
            new FlowPlacement.Node("a", 4000),
            new FlowPlacement.Node("b", 4000),
            new FlowPlacement.Node("c", 4000));
    FlowPlacement placement = new FlowPlacement();
    Map<String, String> before = placement.place(flow, Map.of(), three, Map.of(), 0.03).nodes();
    Map<String, String> after =
        placement.place(flow, Map.of(), three.subList(0, 2), before, 0.2).nodes();
    assertThat(after.values()).doesNotContain("c");
    for (Map.Entry<String, String> e : before.entrySet()) {
      if (!e.getValue().equals("c")) {
        assertThat(after.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void refusesAFlowBiggerThanItsNodes() {
    assertThatThrownBy(
            () ->
                new FlowPlacement()
                    .place(
                        pipeline(),
                        Map.of(),
                        List.of(new FlowPlacement.Node("a", 1000)),
                        Map.of(),
                        0.03))
        .hasMessage("flow p needs 6000 millicores, its 1 node(s) offer 1000");
  }

  @Test
  void partitionLoadsStayWithinATenthOfTheirMean() {
    // The seed's check: the standard deviation of the nodes' loads within 0.1 of the mean.
    Resources cpu = Resources.of(250, 0);
    Flow flow =
        Flow.builder("wide")
            .process("source", "sequence", 6, cpu, List.of(), List.of("out"))
            .process("parse", "pass", 12, cpu, List.of("in"), List.of("out"))
            .process("count", "pass", 12, cpu, List.of("in"), List.of("out"))
            .process("sink", "discard", 6, cpu, List.of("in"), List.of())
            .connect("source.out", "parse.in", Routing.ROUND_ROBIN, 64)
            .connect("parse.out", "count.in", Routing.KEYED, 64)
            .connect("count.out", "sink.in", Routing.ROUND_ROBIN, 64)
            .build();
    List<FlowPlacement.Node> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      nodes.add(new FlowPlacement.Node("n" + i, 4000));
    }
    Map<String, String> placed =
        new FlowPlacement().place(flow, Map.of(), nodes, Map.of(), 0.03).nodes();
    Map<String, Double> load = new HashMap<>();
    placed.forEach((instance, node) -> load.merge(node, 250.0, Double::sum));
    double mean = load.values().stream().mapToDouble(Double::doubleValue).sum() / nodes.size();
    double variance = 0;
    for (FlowPlacement.Node n : nodes) {
      double d = load.getOrDefault(n.id(), 0.0) - mean;
      variance += d * d / nodes.size();
    }
    assertThat(Math.sqrt(variance)).isLessThanOrEqualTo(0.1 * mean);
    assertThat(load).hasSize(4);
  }
}
