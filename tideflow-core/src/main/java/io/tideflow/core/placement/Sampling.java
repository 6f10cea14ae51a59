package io.tideflow.core.placement;

/**
 * How many feasible nodes a decision looks for before it stops filtering, after kube-scheduler's
 * {@code percentageOfNodesToScore}: at least {@code minFeasibleNodes}, else {@code percentage} of
 * the cluster, and every node when the cluster is smaller than the minimum.
 *
 * @param percentage (0, 100] percent of the nodes, fractions allowed; 0 for kube's adaptive
 *     default, {@code 50 - n/125} percent and never under 5
 * @param minFeasibleNodes the fewest feasible nodes to find before stopping (kube uses 100)
 */
public record Sampling(double percentage, int minFeasibleNodes) {

  /** Every node is filtered and every feasible one scored. */
  public static final Sampling EXHAUSTIVE = new Sampling(100, Integer.MAX_VALUE);

  /** kube-scheduler's defaults: adaptive percentage, at least 100 nodes. */
  public static final Sampling KUBE_DEFAULT = new Sampling(0, 100);

  public Sampling {
    if (!(percentage >= 0 && percentage <= 100)) {
      throw new IllegalArgumentException("percentage must be in [0, 100], was " + percentage);
    }
    if (minFeasibleNodes <= 0) {
      throw new IllegalArgumentException("minFeasibleNodes must be > 0, was " + minFeasibleNodes);
    }
  }

  /** Feasible nodes to find in a cluster of {@code n} nodes before scoring. */
  public int feasibleToFind(int n) {
    if (n <= minFeasibleNodes || percentage == 100) {
      return n;
    }
    double pct = percentage == 0 ? Math.max(5, 50 - n / 125) : percentage;
    return Math.max(minFeasibleNodes, (int) (n * pct / 100));
  }
}
