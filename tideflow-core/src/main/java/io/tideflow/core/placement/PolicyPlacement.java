package io.tideflow.core.placement;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeAllocation;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeScan;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.TaskSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Placement as filter then score, driven by a {@link PlacementPolicy}: scan the nodes from the
 * context's start index, drop those a filter rejects (counting why), score the feasible ones until
 * the policy's sampling has found enough, and take the best (or one of the best k at random).
 *
 * <p>Resource fit is checked against capacity minus the context's {@link Allocations}, so a caller
 * that records each decision with {@link Allocations#place} never overcommits a node. Pure and
 * stateless: one instance may serve many threads, each with its own context.
 */
public final class PolicyPlacement implements PlacementStrategy {
  private final PlacementPolicy policy;
  private final NodeFilter[] filters;
  private final NodeScorer[] scorers;
  private final double[] weights;
  private final double totalWeight;

  public PolicyPlacement(PlacementPolicy policy) {
    this.policy = policy;
    this.filters = policy.filters().toArray(NodeFilter[]::new);
    this.scorers =
        policy.scorers().stream().map(PlacementPolicy.Weighted::scorer).toArray(NodeScorer[]::new);
    this.weights =
        policy.scorers().stream().mapToDouble(PlacementPolicy.Weighted::weight).toArray();
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    this.totalWeight = sum == 0 ? 1 : sum;
  }

  public PlacementPolicy policy() {
    return policy;
  }

  /**
   * The SPI form: the task's demand and equality selector, nothing allocated, the caller's load.
   */
  @Override
  public Placement place(TaskSpec task, ClusterView view, LiveLoad load) {
    return place(
        PlacementRequest.of(task), view, PlacementContext.of(Allocations.empty()).withLoad(load));
  }

  public Placement place(PlacementRequest request, ClusterView view, PlacementContext context) {
    return decide(request, view, context).placement();
  }

  /** Places {@code request} and says what the decision examined and where the next scan starts. */
  public PlacementResult decide(
      PlacementRequest request, ClusterView view, PlacementContext context) {
    int n = view.size();
    if (n == 0) {
      return new PlacementResult(new Placement.NoFit(0, Map.of()), Double.NaN, 0, 0);
    }
    DecisionScope scope = new DecisionScope(request, view, context);
    NodeFilter[] active = applicable(scope);
    Allocations allocations = context.allocations();
    int toFind = policy.sampling().feasibleToFind(n);
    int start = context.startIndex() % n;
    TopK best = new TopK(policy.topK());
    Rejections rejected = new Rejections();
    int examined = 0;
    int found = 0;
    NodeScan scan = view.scan(allocations, start);
    while (examined < n && found < toFind) {
      NodeInfo node = scan.next();
      examined++;
      NodeAllocation alloc = scan.allocation();
      String rejection = reject(active, node, alloc, scope);
      if (rejection != null) {
        rejected.count(rejection);
        continue;
      }
      found++;
      best.offer(node, score(node, alloc, scope));
    }
    int next = (start + examined) % n;
    if (found == 0) {
      return new PlacementResult(
          new Placement.NoFit(examined, rejected.asMap()), Double.NaN, examined, next);
    }
    int chosen = best.choose(context.random());
    return new PlacementResult(
        new Placement.Placed(best.node(chosen).id()), best.score(chosen), examined, next);
  }

  private NodeFilter[] applicable(DecisionScope scope) {
    NodeFilter[] active = new NodeFilter[filters.length];
    int n = 0;
    for (NodeFilter f : filters) {
      if (f.appliesTo(scope)) {
        active[n++] = f;
      }
    }
    return n == active.length ? active : Arrays.copyOf(active, n);
  }

  private static String reject(
      NodeFilter[] filters, NodeInfo node, NodeAllocation alloc, DecisionScope scope) {
    for (NodeFilter f : filters) {
      String r = f.reject(node, alloc, scope);
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  private double score(NodeInfo node, NodeAllocation alloc, DecisionScope scope) {
    double s = 0;
    for (int i = 0; i < scorers.length; i++) {
      s += weights[i] * scorers[i].score(node, alloc, scope);
    }
    return s / totalWeight;
  }

  /** Rejection counts by filter name: few distinct names, so parallel arrays beat a map. */
  private static final class Rejections {
    private static final String[] NONE = {};
    private String[] names = NONE; // allocated at the first rejection: many decisions have none
    private int[] counts;
    private int size;

    void count(String name) {
      for (int i = 0; i < size; i++) {
        if (names[i].equals(name)) {
          counts[i]++;
          return;
        }
      }
      if (names == NONE) {
        names = new String[4];
        counts = new int[4];
      } else if (size == names.length) {
        names = Arrays.copyOf(names, size * 2);
        counts = Arrays.copyOf(counts, size * 2);
      }
      names[size] = name;
      counts[size++] = 1;
    }

    Map<String, Integer> asMap() {
      Map<String, Integer> map = new HashMap<>();
      for (int i = 0; i < size; i++) {
        map.put(names[i], counts[i]);
      }
      return map;
    }
  }

  /** The best k offers, best first; an earlier offer wins a tie so scans are deterministic. */
  private static final class TopK {
    private final NodeInfo[] nodes;
    private final double[] scores;
    private int size;

    TopK(int k) {
      nodes = new NodeInfo[k];
      scores = new double[k];
    }

    void offer(NodeInfo node, double score) {
      int k = nodes.length;
      if (size == k && score <= scores[k - 1]) {
        return;
      }
      int i = size < k ? size++ : k - 1;
      while (i > 0 && scores[i - 1] < score) {
        nodes[i] = nodes[i - 1];
        scores[i] = scores[i - 1];
        i--;
      }
      nodes[i] = node;
      scores[i] = score;
    }

    int choose(RandomGenerator random) {
      return size == 1 ? 0 : random.nextInt(size);
    }

    NodeInfo node(int i) {
      return nodes[i];
    }

    double score(int i) {
      return scores[i];
    }
  }
}
