package io.tideflow.core.partition;

import java.util.Arrays;

/**
 * A graph cut into parts: which part each vertex is in, the weight of the edges between parts (the
 * cut), each part's weight, and the imbalance, how far the heaviest part (relative to its share) is
 * over its share, as METIS reports it. Immutable.
 */
public final class Partition {
  private final int[] assignment;
  private final long cut;
  private final long[] partWeights;
  private final double imbalance;

  private Partition(int[] assignment, long cut, long[] partWeights, double imbalance) {
    this.assignment = assignment;
    this.cut = cut;
    this.partWeights = partWeights;
    this.imbalance = imbalance;
  }

  /**
   * {@code assignment} of {@code graph}'s vertices to parts of {@code request}, measured.
   *
   * @throws IllegalArgumentException when a vertex is unassigned or in a part that does not exist
   */
  public static Partition of(Graph graph, PartitionRequest request, int[] assignment) {
    int n = graph.vertexCount();
    if (assignment.length != n) {
      throw new IllegalArgumentException(
          "assignment must have one part per vertex (" + n + "), had " + assignment.length);
    }
    int k = request.parts();
    long[] weights = new long[k];
    for (int v = 0; v < n; v++) {
      int p = assignment[v];
      if (p < 0 || p >= k) {
        throw new IllegalArgumentException(
            "vertex " + v + " is in part " + p + ", beyond the " + k + " parts");
      }
      weights[p] += graph.vertexWeight(v);
    }
    return new Partition(
        assignment.clone(),
        cut(graph, assignment),
        weights,
        imbalance(weights, request, graph.totalVertexWeight()));
  }

  /** The weight of the edges whose ends are in different parts. */
  public static long cut(Graph graph, int[] assignment) {
    int[] off = graph.offsets();
    int[] adj = graph.adjacency();
    int[] wgt = graph.edgeWeights();
    long twice = 0;
    for (int v = 0; v < assignment.length; v++) {
      for (int i = off[v]; i < off[v + 1]; i++) {
        if (assignment[adj[i]] != assignment[v]) {
          twice += wgt[i];
        }
      }
    }
    return twice / 2;
  }

  private static double imbalance(long[] weights, PartitionRequest request, long total) {
    if (total == 0) {
      return 0;
    }
    double worst = 0;
    for (int p = 0; p < weights.length; p++) {
      worst = Math.max(worst, weights[p] / (request.target(p) * total));
    }
    return worst - 1;
  }

  /** The part of vertex {@code v}. */
  public int part(int v) {
    return assignment[v];
  }

  public int[] assignment() {
    return assignment.clone();
  }

  public int parts() {
    return partWeights.length;
  }

  public long cut() {
    return cut;
  }

  public long partWeight(int p) {
    return partWeights[p];
  }

  /** The heaviest part's weight over its share, less 1: 0.03 is 3 % over. */
  public double imbalance() {
    return imbalance;
  }

  @Override
  public String toString() {
    return "Partition[parts="
        + partWeights.length
        + ", cut="
        + cut
        + ", imbalance="
        + String.format(java.util.Locale.ROOT, "%.4f", imbalance)
        + ", weights="
        + Arrays.toString(partWeights)
        + "]";
  }
}
