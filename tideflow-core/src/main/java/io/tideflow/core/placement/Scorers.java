package io.tideflow.core.placement;

import io.tideflow.core.model.NodeAllocation;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.Resources;

/**
 * The standard scorers, each in [0, 1] with higher better. Resource scorers look at the fractions
 * of capacity in use once the request is placed, over cpu and memory, plus network and custom kinds
 * when the request asks for them (as kube-scheduler scores its configured resources).
 */
public final class Scorers {
  private Scorers() {}

  private static final int MAX_KINDS = 8;

  /** Spread: kube's LeastAllocated, the mean free fraction after placing. */
  public static final NodeScorer LEAST_ALLOCATED =
      named("least-allocated", (n, a, s) -> 1 - mean(n, a, s));

  /** Bin-pack: kube's MostAllocated, the mean used fraction after placing. */
  public static final NodeScorer MOST_ALLOCATED = named("most-allocated", Scorers::mean);

  /**
   * kube's BalancedAllocation: one minus the standard deviation of the used fractions, so a node
   * whose cpu and memory fill evenly scores higher than one left with stranded memory.
   */
  public static final NodeScorer BALANCED_ALLOCATION =
      named("balanced-allocation", Scorers::balanced);

  /**
   * Prefers nodes where the caller has fewer requests in flight per cpu core ({@link
   * LiveLoad#inFlight}), as {@link LeastLoadedPlacement} does: {@code 1 / (1 + inFlight/cores)}.
   */
  public static final NodeScorer LEAST_IN_FLIGHT =
      named(
          "least-in-flight",
          (node, alloc, scope) -> {
            double cores = Math.max(1, node.capacity().cpuMillis()) / 1000.0;
            return 1 / (1 + scope.context().load().inFlight(node.id()) / cores);
          });

  /** Prefers nodes advertising the request's data key; 0.5 everywhere when it has none. */
  public static final NodeScorer DATA_LOCALITY =
      named(
          "data-locality",
          (node, alloc, scope) -> {
            String label = scope.dataLabel();
            if (label == null) {
              return 0.5;
            }
            return node.labels().containsKey(label) ? 1 : 0;
          });

  /**
   * Ray's hybrid policy: pack until the critical (most used) resource of a node reaches {@code
   * threshold}, then spread. Nodes that stay at or under the threshold after placing score in [0.5,
   * 1], higher when fuller (packing); nodes over it score in [0, 0.5), higher when emptier
   * (spreading). Ray breaks the tie among under-threshold nodes by traversal order; this one
   * best-fits among them. Combine with {@link PlacementPolicy.Builder#topK} for Ray's random choice
   * among the best k.
   */
  public static NodeScorer hybrid(double threshold) {
    if (!(threshold > 0 && threshold < 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1), was " + threshold);
    }
    return named(
        "hybrid(" + threshold + ")",
        (node, alloc, scope) -> {
          double u = Math.min(1, critical(node, alloc, scope));
          return u <= threshold ? 0.5 + 0.5 * u / threshold : 0.5 * (1 - u) / (1 - threshold);
        });
  }

  private interface Fn {
    double score(NodeInfo node, NodeAllocation alloc, DecisionScope scope);
  }

  private static NodeScorer named(String name, Fn fn) {
    return new NodeScorer() {
      @Override
      public double score(NodeInfo node, NodeAllocation allocation, DecisionScope scope) {
        return fn.score(node, allocation, scope);
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  private static boolean onlyCpuAndMemory(Resources demand) {
    return demand.networkBytesPerSec() == 0 && demand.custom().isEmpty();
  }

  private static double mean(NodeInfo node, NodeAllocation alloc, DecisionScope scope) {
    Resources demand = scope.request().demand();
    if (onlyCpuAndMemory(demand)) {
      return (Math.min(1, ResourceFit.cpu(demand, alloc.allocated(), node.capacity()))
              + Math.min(1, ResourceFit.memory(demand, alloc.allocated(), node.capacity())))
          / 2;
    }
    double[] f = new double[MAX_KINDS];
    int n = ResourceFit.fractions(demand, alloc.allocated(), node.capacity(), f);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.min(1, f[i]);
    }
    return sum / n;
  }

  private static double balanced(NodeInfo node, NodeAllocation alloc, DecisionScope scope) {
    Resources demand = scope.request().demand();
    if (onlyCpuAndMemory(demand)) {
      double cpu = Math.min(1, ResourceFit.cpu(demand, alloc.allocated(), node.capacity()));
      double mem = Math.min(1, ResourceFit.memory(demand, alloc.allocated(), node.capacity()));
      return 1 - Math.abs(cpu - mem) / 2;
    }
    double[] f = new double[MAX_KINDS];
    int n = ResourceFit.fractions(demand, alloc.allocated(), node.capacity(), f);
    double mean = 0;
    for (int i = 0; i < n; i++) {
      mean += Math.min(1, f[i]) / n;
    }
    double var = 0;
    for (int i = 0; i < n; i++) {
      double d = Math.min(1, f[i]) - mean;
      var += d * d / n;
    }
    return 1 - Math.sqrt(var);
  }

  private static double critical(NodeInfo node, NodeAllocation alloc, DecisionScope scope) {
    Resources demand = scope.request().demand();
    if (onlyCpuAndMemory(demand)) {
      return Math.max(
          ResourceFit.cpu(demand, alloc.allocated(), node.capacity()),
          ResourceFit.memory(demand, alloc.allocated(), node.capacity()));
    }
    double[] f = new double[MAX_KINDS];
    int n = ResourceFit.fractions(demand, alloc.allocated(), node.capacity(), f);
    double max = 0;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, f[i]);
    }
    return max;
  }
}
