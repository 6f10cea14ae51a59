package io.tideflow.core.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.model.Resources;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  @Test
  void anInstanceAskingForGpusGoesOnlyWhereGpusAre() {
    Resources gpu = new Resources(100, 1 << 20, 0, Map.of("gpu", 1L));
    Flow flow =
        Flow.builder("train")
            .process("source", "sequence", 2, Resources.of(100, 1 << 20), List.of(), List.of("out"))
            .process("model", "pass", 2, gpu, List.of("in"), List.of())
            .connect("source.out", "model.in", Routing.FORWARD, 64)
            .build();
    List<FlowPlacement.Node> nodes =
        List.of(
            new FlowPlacement.Node("a", new Resources(4000, 1L << 30, 0, Map.of("gpu", 2L))),
            new FlowPlacement.Node("b", Resources.of(4000, 1L << 30)),
            new FlowPlacement.Node("c", Resources.of(4000, 1L << 30)));
    Map<String, String> placed =
        new FlowPlacement().place(flow, Map.of(), nodes, Map.of(), 0.03).nodes();
    assertThat(placed).containsEntry("model#0", "a").containsEntry("model#1", "a");
  }

  @Test
  void noNodeIsPutOverItsMemoryWhateverTheCutPrefers() {
    java.util.Random random = new java.util.Random(7);
    for (int round = 0; round < 200; round++) {
      Flow.Builder b = Flow.builder("f" + round);
      int stages = 2 + random.nextInt(3);
      int k = 2 + random.nextInt(3);
      // Feasible by construction: each instance given a node at random, each node offering what
      // it was given and up to as much again (or 16 MiB if given nothing).
      long[] given = new long[k];
      for (int s = 0; s < stages; s++) {
        int parallelism = 1 + random.nextInt(6);
        long memory = (1L + random.nextInt(64)) << 20;
        for (int i = 0; i < parallelism; i++) {
          given[random.nextInt(k)] += memory;
        }
        b.process(
            "p" + s,
            "pass",
            parallelism,
            Resources.of(100, memory),
            s == 0 ? List.of() : List.of("in"),
            s == stages - 1 ? List.of() : List.of("out"));
        if (s > 0) {
          b.connect("p" + (s - 1) + ".out", "p" + s + ".in", Routing.ROUND_ROBIN, 64);
        }
      }
      Flow flow = b.build();
      List<FlowPlacement.Node> nodes = new java.util.ArrayList<>();
      Map<String, Long> memoryOf = new HashMap<>();
      for (int n = 0; n < k; n++) {
        long memory =
            given[n] == 0 ? 16L << 20 : given[n] + (long) (given[n] * random.nextDouble());
        nodes.add(new FlowPlacement.Node("n" + n, Resources.of(100_000, memory)));
        memoryOf.put("n" + n, memory);
      }
      FlowPlacement.Result result =
          new FlowPlacement().place(flow, Map.of(), nodes, Map.of(), 0.03);
      Map<String, Long> held = new HashMap<>();
      result
          .nodes()
          .forEach(
              (instance, node) ->
                  held.merge(
                      node,
                      flow.process(instance.substring(0, instance.indexOf('#')))
                          .demand()
                          .memoryBytes(),
                      Long::sum));
      assertThat(result.nodes()).hasSize(flow.instanceCount());
      for (Map.Entry<String, Long> e : held.entrySet()) {
        assertThat(e.getValue())
            .as("memory on %s in round %d", e.getKey(), round)
            .isLessThanOrEqualTo(memoryOf.get(e.getKey()));
      }
    }
  }

  @Test
  void refusesAFlowAskingMoreMemoryThanAllItsNodesOffer() {
    Flow flow =
        Flow.builder("big")
            .process("p", "sequence", 4, Resources.of(100, 1L << 30), List.of(), List.of())
            .build();
    List<FlowPlacement.Node> nodes =
        List.of(
            new FlowPlacement.Node("a", Resources.of(4000, 1L << 30)),
            new FlowPlacement.Node("b", Resources.of(4000, 2L << 30)));
    assertThatThrownBy(() -> new FlowPlacement().place(flow, Map.of(), nodes, Map.of(), 0.03))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("flow big needs 4.0 GiB (4294967296 bytes) of memory")
        .hasMessageContaining("offer 3.0 GiB (3221225472 bytes)");
  }

  /** x -> y -> z, with most of the traffic between y and z; memory 512 Mi, 768 Mi, 768 Mi. */
  private static Flow chainOfThree() {
    return Flow.builder("xyz")
        .process("x", "sequence", 1, Resources.of(100, 512L << 20), List.of(), List.of("out"))
        .process("y", "pass", 1, Resources.of(100, 768L << 20), List.of("in"), List.of("out"))
        .process("z", "discard", 1, Resources.of(100, 768L << 20), List.of("in"), List.of())
        .connect("x.out", "y.in", Routing.FORWARD, 64)
        .connect("y.out", "z.in", Routing.FORWARD, 64)
        .build();
  }

  @Test
  void anInstanceOfANodeGoneGoesWhereThereIsRoomBesideTheInstancesThatStay() {
    Flow flow = chainOfThree();
    Map<Connection, Double> rates = Map.of(flow.connections().get(1), 100_000.0);
    List<FlowPlacement.Node> ready =
        List.of(
            new FlowPlacement.Node("a", Resources.of(4000, 2L << 30)),
            new FlowPlacement.Node("b", Resources.of(4000, 1L << 30)));
    // z's node c is gone; the cut would put z beside y on b, where y leaves no room for it.
    Map<String, String> current = Map.of("x#0", "a", "y#0", "b", "z#0", "c");
    FlowPlacement.Result result =
        new FlowPlacement().replace(flow, rates, ready, current, Set.of("a", "b"), 0.03);
    assertThat(result.nodes()).containsEntry("x#0", "a").containsEntry("y#0", "b");
    assertThat(result.nodes()).containsEntry("z#0", "a");
  }

  @Test
  void anInstanceOfANodeGoneThatFitsNowhereBesideTheOnesThatStayIsRefused() {
    Flow flow = chainOfThree();
    List<FlowPlacement.Node> ready =
        List.of(
            new FlowPlacement.Node("a", Resources.of(4000, 1L << 30)),
            new FlowPlacement.Node("b", Resources.of(4000, 1280L << 20)));
    // Afresh, x and y would share b and z take a; with x and y staying, z fits neither.
    Map<String, String> current = Map.of("x#0", "a", "y#0", "b", "z#0", "c");
    assertThatThrownBy(
            () ->
                new FlowPlacement().replace(flow, Map.of(), ready, current, Set.of("a", "b"), 0.03))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("of memory");
  }

  @Test
  void aFlowIsPlacedInTheRoomTheOtherFlowsLeave() {
    Flow first =
        Flow.builder("first")
            .process("big", "sequence", 1, Resources.of(100, 768L << 20), List.of(), List.of())
            .build();
    Flow second =
        Flow.builder("second")
            .process("mid", "sequence", 2, Resources.of(100, 512L << 20), List.of(), List.of())
            .build();
    List<FlowPlacement.Node> nodes =
        List.of(
            new FlowPlacement.Node("a", new Resources(4000, 1L << 30, 0, Map.of("gpu", 1L))),
            new FlowPlacement.Node("b", Resources.of(4000, 1L << 30)));
    Map<String, Resources> held = FlowPlacement.held(first, Map.of("big#0", "a", "gone#0", "a"));
    assertThat(held).containsOnlyKeys("a");
    assertThat(held.get("a").memoryBytes()).isEqualTo(768L << 20);

    List<FlowPlacement.Node> room = FlowPlacement.besides(nodes, held);
    assertThat(room.get(0).capacity().memoryBytes()).isEqualTo(256L << 20);
    assertThat(room.get(0).capacity().custom("gpu")).isEqualTo(1L);
    assertThat(room.get(0).cpuMillis()).isEqualTo(4000);
    // Two 512 Mi instances: the cut would split them, but a has room for neither beside the first.
    assertThat(new FlowPlacement().place(second, Map.of(), nodes, Map.of(), 0.03).nodes())
        .containsValues("a", "b");
    assertThat(new FlowPlacement().place(second, Map.of(), room, Map.of(), 0.03).nodes())
        .containsEntry("mid#0", "b")
        .containsEntry("mid#1", "b");
  }
}
