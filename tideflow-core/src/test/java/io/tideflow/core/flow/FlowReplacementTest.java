package io.tideflow.core.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.model.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * When a placed flow is placed again and where: after any mix of nodes that died, drain or joined,
 * instances on live nodes stay, the others land on ready nodes, and the new placement stands.
 */
class FlowReplacementTest {
  private static final Routing[] ROUTINGS = Routing.values();

  /** A random chain of 1..5 processes, 1..4 instances each, joined by random routings. */
  private static Flow randomFlow(SplittableRandom r) {
    int processes = 1 + r.nextInt(5);
    Flow.Builder b = Flow.builder("f");
    for (int p = 0; p < processes; p++) {
      List<String> in = p == 0 ? List.of() : List.of("in");
      List<String> out = p == processes - 1 ? List.of() : List.of("out");
      b.process("p" + p, "pass", 1 + r.nextInt(4), Resources.of(100 + r.nextInt(400), 0), in, out);
    }
    for (int p = 1; p < processes; p++) {
      Routing routing = ROUTINGS[r.nextInt(ROUTINGS.length)];
      if (routing == Routing.FORWARD) {
        routing = Routing.ROUND_ROBIN; // FORWARD needs equal parallelism on both ends
      }
      if (routing == Routing.KEYED) {
        routing = Routing.BROADCAST; // KEYED needs a key on the receiver
      }
      b.connect("p" + (p - 1) + ".out", "p" + p + ".in", routing, 64);
    }
    return b.build();
  }

  private static Map<Connection, Double> randomRates(Flow flow, SplittableRandom r) {
    Map<Connection, Double> rates = new HashMap<>();
    flow.connections().forEach(c -> rates.put(c, (double) r.nextInt(100_000)));
    return rates;
  }

  @Property(tries = 300)
  void liveInstancesStayTheRestLandOnReadyNodesAndTheResultStands(@ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Flow flow = randomFlow(r);
    Map<Connection, Double> rates = randomRates(flow, r);
    FlowPlacement placement = new FlowPlacement();
    List<FlowPlacement.Node> before = new ArrayList<>();
    int count = 1 + r.nextInt(5);
    for (int i = 0; i < count; i++) {
      before.add(new FlowPlacement.Node("n" + i, 20_000));
    }
    Map<String, String> current = placement.place(flow, rates, before, Map.of(), 0.03).nodes();
    FlowPlacement.Placed placed = new FlowPlacement.Placed(current, 7);

    // Each old node dies, drains or stays ready; up to two nodes join.
    List<FlowPlacement.Node> ready = new ArrayList<>();
    Set<String> alive = new HashSet<>();
    Set<String> dead = new HashSet<>();
    for (FlowPlacement.Node n : before) {
      switch (r.nextInt(3)) {
        case 0 -> dead.add(n.id());
        case 1 -> alive.add(n.id()); // draining: alive, takes nothing new
        default -> {
          alive.add(n.id());
          ready.add(n);
        }
      }
    }
    int joined = r.nextInt(3);
    for (int i = 0; i < joined; i++) {
      FlowPlacement.Node n = new FlowPlacement.Node("j" + i, 20_000);
      ready.add(n);
      alive.add(n.id());
    }
    boolean lost = current.values().stream().anyMatch(dead::contains);
    assertThat(FlowPlacement.reason(flow, 7, placed, alive).isPresent()).isEqualTo(lost);
    assertThat(FlowPlacement.reason(flow, 8, placed, alive)).contains("deployed again");
    if (ready.isEmpty()) {
      return;
    }

    FlowPlacement.Result next = placement.replace(flow, rates, ready, current, alive, 0.03);

    assertThat(next.nodes().keySet()).isEqualTo(current.keySet());
    Set<String> readyIds = new HashSet<>();
    ready.forEach(n -> readyIds.add(n.id()));
    current.forEach(
        (instance, was) -> {
          String now = next.nodes().get(instance);
          if (alive.contains(was)) {
            assertThat(now).as(instance + " on live node " + was).isEqualTo(was);
          } else {
            assertThat(readyIds).as(instance + " off dead node " + was).contains(now);
          }
        });
    assertThat(next.moved()).isZero();
    assertThat(next.cut()).isGreaterThanOrEqualTo(0);
    if (new HashSet<>(next.nodes().values()).size() == 1) {
      assertThat(next.cut()).isZero();
    }
    assertThat(FlowPlacement.reason(flow, 7, new FlowPlacement.Placed(next.nodes(), 7), alive))
        .isEmpty();
  }

  /** a#0..1 forward to b#0..1, each instance needing {@code cpu} millicores. */
  private static Flow pair(int cpu) {
    return Flow.builder("f")
        .process("a", "pass", 2, Resources.of(cpu, 0), List.of(), List.of("out"))
        .process("b", "pass", 2, Resources.of(cpu, 0), List.of("in"), List.of())
        .connect("a.out", "b.in", Routing.FORWARD, 64)
        .build();
  }

  @Test
  void namesEveryReasonToPlaceAgain() {
    Flow flow = pair(100);
    Map<String, String> nodes = new LinkedHashMap<>();
    nodes.put("a#0", "x");
    nodes.put("a#1", "y");
    nodes.put("b#0", "x");
    nodes.put("b#1", "z");
    FlowPlacement.Placed placed = new FlowPlacement.Placed(nodes, 5);

    assertThat(FlowPlacement.reason(flow, 5, null, Set.of("x"))).contains("first placement");
    assertThat(FlowPlacement.reason(flow, 6, placed, Set.of("x", "y", "z")))
        .contains("deployed again");
    assertThat(FlowPlacement.reason(flow, 5, placed, Set.of("x"))).contains("node(s) y, z gone");
    assertThat(FlowPlacement.reason(flow, 5, placed, Set.of("x", "y", "z"))).isEmpty();
    Map<String, String> fewer = new LinkedHashMap<>(nodes);
    fewer.remove("b#1");
    assertThat(FlowPlacement.reason(flow, 5, new FlowPlacement.Placed(fewer, 5), Set.of("x", "y")))
        .contains("the flow changed");
  }

  @Test
  void movesLiveInstancesOffDrainingNodesAndOntoJoinedOnes() {
    Map<String, String> nodes = Map.of("a#0", "x", "a#1", "y", "b#0", "z");

    assertThat(FlowPlacement.moveReason(nodes, Set.of("y", "z"), Set.of("x"), List.of("x", "y")))
        .contains("node(s) y, z draining");
    // Draining comes first: a joined node may take them.
    assertThat(FlowPlacement.moveReason(nodes, Set.of("z"), Set.of("x", "w"), List.of("x")))
        .contains("node(s) z draining");
    assertThat(
            FlowPlacement.moveReason(nodes, Set.of(), Set.of("x", "y", "z", "w"), nodes.values()))
        .contains("node(s) w joined");
    assertThat(FlowPlacement.moveReason(nodes, Set.of(), Set.of("x", "y", "z"), nodes.values()))
        .isEmpty();
    // A node that left since is no reason to move: the death path places around it.
    assertThat(FlowPlacement.moveReason(nodes, Set.of(), Set.of("x", "y"), List.of("x", "y", "q")))
        .isEmpty();
    // Not knowing what the placement was made over, it asks for no look at joined nodes.
    assertThat(FlowPlacement.moveReason(nodes, Set.of(), Set.of("x", "y", "z", "w"), List.of()))
        .isEmpty();
  }

  @Test
  void aPinnedInstanceCountsInTheCutAndTheImbalance() {
    Flow flow = pair(500);
    Map<Connection, Double> rates = Map.of(flow.connections().get(0), 1000.0);
    // a#0 and b#0 together on x; a#1 on y, which drains; b#1 on z, which died.
    Map<String, String> current = Map.of("a#0", "x", "b#0", "x", "a#1", "y", "b#1", "z");

    FlowPlacement.Result next =
        new FlowPlacement()
            .replace(
                flow,
                rates,
                List.of(new FlowPlacement.Node("x", 4000), new FlowPlacement.Node("w", 4000)),
                current,
                Set.of("x", "y", "w"),
                0.03);

    assertThat(next.nodes()).containsEntry("a#0", "x").containsEntry("b#0", "x");
    assertThat(next.nodes()).containsEntry("a#1", "y");
    assertThat(next.nodes().get("b#1")).isIn("x", "w");
    // a#1 -> b#1 crosses from the draining y to wherever b#1 went: 500 msgs/s per instance pair.
    assertThat(next.cut()).isEqualTo(500);
  }
}
