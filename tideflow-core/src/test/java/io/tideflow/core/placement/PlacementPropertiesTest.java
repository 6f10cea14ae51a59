package io.tideflow.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.model.AffinityTerm;
import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LabelSelector;
import io.tideflow.core.model.LatencyBound;
import io.tideflow.core.model.LatencyTable;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeAllocation;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Invariants of {@link PolicyPlacement} over random clusters, request streams and policies: every
 * placed request's node satisfied every constraint on the state it was placed on, no node ever
 * holds more than its capacity of any resource kind, and a "no fit" is only returned when a brute
 * force check finds no feasible node either.
 */
class PlacementPropertiesTest {
  private static final String[] ZONES = {"a", "b", "c"};
  static final LatencyTable LATENCIES =
      new LatencyTable(
          "zone", Map.of("a", Map.of("eu", 5), "b", Map.of("eu", 20), "c", Map.of("eu", 80)));

  @Property(tries = 60)
  void placementNeverOvercommitsAndAlwaysHonoursConstraints(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 60) int nodes,
      @ForAll @IntRange(min = 0, max = 4) int policyIndex) {
    SplittableRandom r = new SplittableRandom(seed);
    ClusterView view = cluster(r, nodes);
    PolicyPlacement placement = new PolicyPlacement(policy(policyIndex));
    PlacementContext ctx =
        PlacementContext.of(Allocations.empty()).withLatencies(LATENCIES).withRandom(r.split());
    for (int i = 0; i < 150; i++) {
      PlacementRequest req = request(r);
      PlacementResult result = placement.decide(req, view, ctx);
      if (result.placement() instanceof Placement.Placed placed) {
        NodeInfo node = view.node(placed.nodeId());
        assertThat(violation(req, node, ctx.allocations(), view))
            .as("request %s on %s", req, node)
            .isNull();
        ctx =
            ctx.withAllocations(ctx.allocations().place(node.id(), req.demand(), req.workLabels()));
      } else {
        Allocations allocs = ctx.allocations();
        assertThat(view.nodes())
            .allSatisfy(n -> assertThat(violation(req, n, allocs, view)).isNotNull());
      }
      ctx = ctx.withStartIndex(result.nextStartIndex());
      for (NodeInfo n : view.nodes()) {
        Resources held = ctx.allocations().of(n.id()).allocated();
        assertThat(held.fitsIn(n.capacity()))
            .as("%s holds %s of %s", n.id(), held, n.capacity())
            .isTrue();
      }
    }
  }

  /** Brute-force statement of every constraint, written apart from the filters: null when met. */
  static String violation(
      PlacementRequest req, NodeInfo node, Allocations allocs, ClusterView view) {
    if (node.state() != NodeState.READY) {
      return "state";
    }
    if (!req.selector().matches(node.labels())) {
      return "labels";
    }
    String taints = node.labels().getOrDefault(PlacementRequest.TAINTS_LABEL, "");
    if (!taints.isEmpty() && !req.tolerations().containsAll(List.of(taints.split(",")))) {
      return "taint";
    }
    if (!req.demand().add(allocs.of(node.id()).allocated()).fitsIn(node.capacity())) {
      return "resources";
    }
    for (LatencyBound b : req.latencyBounds()) {
      int ms = LATENCIES.millis(node, b.region());
      if (ms < 0 || ms > b.maxMillis()) {
        return "latency";
      }
    }
    for (AffinityTerm t : req.affinity()) {
      String domain = t.domainOf(node);
      boolean near = false;
      for (NodeInfo other : view.nodes()) {
        near |=
            domain != null
                && allocs.of(other.id()).runs(t.workLabelKey(), t.workLabelValue())
                && domain.equals(t.domainOf(other));
      }
      if (!near) {
        return "affinity";
      }
    }
    for (AffinityTerm t : req.antiAffinity()) {
      for (NodeInfo other : view.nodes()) {
        NodeAllocation a = allocs.of(other.id());
        String domain = t.domainOf(node);
        if (domain != null
            && a.runs(t.workLabelKey(), t.workLabelValue())
            && domain.equals(t.domainOf(other))) {
          return "anti-affinity";
        }
      }
    }
    return null;
  }

  static PlacementPolicy policy(int index) {
    PlacementPolicy base =
        switch (index) {
          case 0 -> PlacementPolicy.spread();
          case 1 -> PlacementPolicy.binPack();
          case 2 -> PlacementPolicy.balanced();
          case 3 -> PlacementPolicy.hybrid(3);
          default -> PlacementPolicy.binPack().toBuilder().score(Scorers.DATA_LOCALITY, 1).build();
        };
    return index % 2 == 0 ? base.toBuilder().sampling(new Sampling(20, 5)).build() : base;
  }

  static ClusterView cluster(SplittableRandom r, int n) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, String> labels = new HashMap<>();
      labels.put("zone", ZONES[r.nextInt(ZONES.length)]);
      labels.put("tier", r.nextInt(4) == 0 ? "edge" : "core");
      switch (r.nextInt(8)) {
        case 0 -> labels.put(PlacementRequest.TAINTS_LABEL, "gpu");
        case 1 -> labels.put(PlacementRequest.TAINTS_LABEL, "gpu,batch");
        default -> {}
      }
      if (r.nextInt(3) == 0) {
        labels.put(PlacementRequest.DATA_PREFIX + "k" + r.nextInt(3), "");
      }
      Resources cap = Resources.of(r.nextLong(500, 8001), r.nextLong(1, 33) << 30);
      if (r.nextInt(4) == 0) {
        cap = cap.withCustom("gpu", r.nextLong(1, 5));
      }
      NodeState state = r.nextInt(8) == 0 ? NodeState.DRAINING : NodeState.READY;
      nodes.add(new NodeInfo("n" + i, "p", "h:1", labels, cap, state, LoadReport.NONE));
    }
    return ClusterView.of(1, nodes);
  }

  static PlacementRequest request(SplittableRandom r) {
    Resources demand = Resources.of(r.nextLong(0, 3001), r.nextLong(0, 9) << 30);
    if (r.nextInt(5) == 0) {
      demand = demand.withCustom("gpu", r.nextLong(1, 3));
    }
    PlacementRequest.Builder b =
        PlacementRequest.builder(demand).dataKey(r.nextBoolean() ? "k" + r.nextInt(3) : "");
    switch (r.nextInt(5)) {
      case 0 -> b.selector(LabelSelector.of(LabelSelector.in("tier", "edge")));
      case 1 -> b.selector(LabelSelector.of(LabelSelector.notIn("zone", "c")));
      case 2 ->
          b.selector(LabelSelector.of(LabelSelector.doesNotExist(PlacementRequest.TAINTS_LABEL)));
      default -> {}
    }
    switch (r.nextInt(6)) {
      case 0 -> b.tolerations(Set.of("gpu"));
      case 1 -> b.tolerations(Set.of("gpu", "batch"));
      default -> {}
    }
    if (r.nextInt(4) == 0) {
      b.latency("eu", r.nextBoolean() ? 10 : 50);
    }
    if (r.nextInt(3) == 0) {
      String app = "app" + r.nextInt(4);
      b.workLabels(Map.of("app", app))
          .antiAffinity(
              AffinityTerm.sameDomainAs("app", app, r.nextBoolean() ? "zone" : AffinityTerm.NODE));
    }
    if (r.nextInt(6) == 0) {
      b.affinity(
          AffinityTerm.sameDomainAs(
              "app", "app" + r.nextInt(4), r.nextBoolean() ? "zone" : AffinityTerm.NODE));
    }
    return b.build();
  }
}
