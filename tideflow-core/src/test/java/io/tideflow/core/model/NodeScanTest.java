package io.tideflow.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A scan reads allocations by position, carried forward from state to state and from view to view;
 * whatever the interleaving of node joins, heartbeats, departures, placements, releases and scans,
 * it must visit exactly the nodes {@code nodes()} lists from the start index, each with what {@link
 * Allocations#of} says is placed on it; and the view's count of tainted nodes must hold.
 */
class NodeScanTest {

  private static NodeInfo node(String id, int load, boolean tainted) {
    Map<String, String> labels = tainted ? Map.of(PlacementRequest.TAINTS_LABEL, "gpu") : Map.of();
    return new NodeInfo(
        id,
        "p",
        "h:1",
        labels,
        Resources.of(1000, 1),
        NodeState.READY,
        new LoadReport(load, 0, 0, -1, 0, 0, 0));
  }

  @Property(tries = 40)
  void scanAgreesWithLookupByIdUnderAnyInterleavingOfChanges(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 400) int ids) {
    SplittableRandom r = new SplittableRandom(seed);
    ClusterView view = ClusterView.empty();
    Allocations allocs = Allocations.empty();
    List<String[]> placed = new ArrayList<>();
    for (int step = 0; step < 600; step++) {
      String id = "n" + r.nextInt(ids);
      switch (r.nextInt(10)) {
        case 0 -> view = view.without(id, step);
        case 1, 2 ->
            view = view.with(node(id, step, r.nextInt(3) == 0), step); // a join or a heartbeat
        case 3 -> allocs = allocs.forget(id);
        case 4 -> {
          if (!placed.isEmpty()) {
            String[] p = placed.remove(r.nextInt(placed.size()));
            if (allocs.of(p[0]).runs("app", p[1])) { // not forgotten since
              allocs = allocs.release(p[0], Resources.of(1, 0), Map.of("app", p[1]));
            }
          }
        }
        case 5, 6 -> assertScanMatches(view, allocs, r.nextInt(1000));
        default -> {
          String app = "a" + r.nextInt(3);
          allocs = allocs.place(id, Resources.of(1, 0), Map.of("app", app));
          placed.add(new String[] {id, app});
        }
      }
    }
    assertScanMatches(view, allocs, 0);
  }

  private static void assertScanMatches(ClusterView view, Allocations allocs, int start) {
    List<NodeInfo> nodes = view.nodes();
    NodeScan scan = view.scan(allocs, start);
    for (int i = 0; i < nodes.size(); i++) {
      NodeInfo expected = nodes.get((start + i) % nodes.size());
      assertThat(scan.hasNext()).isTrue();
      assertThat(scan.next()).isSameAs(expected);
      assertThat(scan.allocation()).isEqualTo(allocs.of(expected.id()));
    }
    assertThat(scan.hasNext()).isFalse();
    assertThat(view.taintedNodes())
        .isEqualTo(
            (int)
                nodes.stream()
                    .filter(n -> n.labels().containsKey(PlacementRequest.TAINTS_LABEL))
                    .count());
  }
}
