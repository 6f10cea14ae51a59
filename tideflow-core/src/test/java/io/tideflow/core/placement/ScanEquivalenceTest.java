package io.tideflow.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeAllocation;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PlacementRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link PolicyPlacement} walks the view with {@link ClusterView#scan}, reading allocations by
 * position. This states the decision the plain way — {@code nodes()} by index, {@link
 * Allocations#of} by id, every filter and scorer of the policy — and requires the same node, score,
 * nodes examined, next start and rejection counts, on random clusters that change between decisions
 * (heartbeats, drains, joins, departures) while the decisions are recorded.
 */
class ScanEquivalenceTest {

  @Property(tries = 60)
  void scanningByPositionDecidesAsLookingUpById(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 300) int nodes,
      @ForAll @IntRange(min = 0, max = 4) int policyIndex) {
    SplittableRandom r = new SplittableRandom(seed);
    ClusterView view = PlacementPropertiesTest.cluster(r, nodes);
    PlacementPolicy policy = PlacementPropertiesTest.policy(policyIndex);
    PolicyPlacement placement = new PolicyPlacement(policy);
    PlacementContext ctx =
        PlacementContext.of(Allocations.empty()).withLatencies(PlacementPropertiesTest.LATENCIES);
    long randomSeed = r.nextLong();
    for (int i = 0; i < 120; i++) {
      PlacementRequest req = PlacementPropertiesTest.request(r);
      PlacementResult fast =
          placement.decide(req, view, ctx.withRandom(new SplittableRandom(randomSeed + i)));
      PlacementResult plain =
          reference(policy, req, view, ctx.withRandom(new SplittableRandom(randomSeed + i)));
      assertThat(fast.placement()).as("decision %d", i).isEqualTo(plain.placement());
      assertThat(Double.compare(fast.score(), plain.score()))
          .as("score %s vs %s", fast.score(), plain.score())
          .isZero();
      assertThat(fast.nodesExamined()).isEqualTo(plain.nodesExamined());
      assertThat(fast.nextStartIndex()).isEqualTo(plain.nextStartIndex());
      if (fast.placement() instanceof Placement.Placed placed) {
        ctx =
            ctx.withAllocations(
                ctx.allocations().place(placed.nodeId(), req.demand(), req.workLabels()));
      }
      ctx = ctx.withStartIndex(fast.nextStartIndex());
      view = changed(view, r, i);
    }
  }

  /** Mostly heartbeats (same layout); sometimes a drain, a join or a departure (new layout). */
  private static ClusterView changed(ClusterView view, SplittableRandom r, long revision) {
    if (view.size() == 0) {
      return view;
    }
    NodeInfo n = view.nodes().get(r.nextInt(view.size()));
    return switch (r.nextInt(10)) {
      case 0 -> view.without(n.id(), revision);
      case 1 ->
          view.with(
              new NodeInfo(
                  n.id() + "-joined",
                  "p",
                  "h:1",
                  n.labels(),
                  n.capacity(),
                  NodeState.READY,
                  LoadReport.NONE),
              revision);
      case 2 ->
          n.state() == NodeState.READY
              ? view.with(n.withState(NodeState.DRAINING), revision)
              : view;
      default ->
          view.with(
              n.withLoad(new LoadReport(r.nextInt(10), 0, revision, -1, 0, 0, revision)), revision);
    };
  }

  private record Offer(NodeInfo node, double score) {}

  /** The decision as its javadoc states it, without any of the scan's shortcuts. */
  static PlacementResult reference(
      PlacementPolicy policy, PlacementRequest req, ClusterView view, PlacementContext ctx) {
    int n = view.size();
    if (n == 0) {
      return new PlacementResult(new Placement.NoFit(0, Map.of()), Double.NaN, 0, 0);
    }
    DecisionScope scope = new DecisionScope(req, view, ctx);
    List<NodeFilter> active = policy.filters().stream().filter(f -> f.appliesTo(scope)).toList();
    double totalWeight =
        policy.scorers().stream().mapToDouble(PlacementPolicy.Weighted::weight).sum();
    int toFind = policy.sampling().feasibleToFind(n);
    int start = ctx.startIndex() % n;
    List<Offer> feasible = new ArrayList<>();
    Map<String, Integer> rejected = new HashMap<>();
    int examined = 0;
    while (examined < n && feasible.size() < toFind) {
      NodeInfo node = view.nodes().get((start + examined) % n);
      examined++;
      NodeAllocation alloc = ctx.allocations().of(node.id());
      String rejection = null;
      for (NodeFilter f : active) {
        rejection = f.reject(node, alloc, scope);
        if (rejection != null) {
          break;
        }
      }
      if (rejection != null) {
        rejected.merge(rejection, 1, Integer::sum);
        continue;
      }
      double s = 0;
      for (PlacementPolicy.Weighted w : policy.scorers()) {
        s += w.weight() * w.scorer().score(node, alloc, scope);
      }
      feasible.add(new Offer(node, s / totalWeight));
    }
    int next = (start + examined) % n;
    if (feasible.isEmpty()) {
      return new PlacementResult(
          new Placement.NoFit(examined, rejected), Double.NaN, examined, next);
    }
    // Stable: among equal scores the earlier scanned stays first, as the policy promises.
    List<Offer> best =
        feasible.stream()
            .sorted(Comparator.comparingDouble(Offer::score).reversed())
            .limit(policy.topK())
            .toList();
    Offer chosen = best.size() == 1 ? best.get(0) : best.get(ctx.random().nextInt(best.size()));
    return new PlacementResult(
        new Placement.Placed(chosen.node().id()), chosen.score(), examined, next);
  }
}
