package io.tideflow.core.partition;

import java.util.Arrays;

/**
 * An undirected graph with vertex and edge weights in compressed sparse rows, the layout METIS
 * uses: the neighbours of vertex {@code v} are {@code adjacency[offsets[v] .. offsets[v+1])}, each
 * with the weight at the same index of {@code edgeWeights}. Every edge is stored in both directions
 * with the same weight. Immutable; the arrays are never handed out.
 *
 * <p>For a flow, a vertex is a process instance weighted by its resource demand and an edge a
 * channel weighted by its measured message rate.
 */
public final class Graph {
  private final int[] offsets;
  private final int[] adjacency;
  private final int[] edgeWeights;
  private final int[] vertexWeights;
  private final long totalVertexWeight;

  /** Trusted arrays, already checked (or built by this package). */
  Graph(int[] offsets, int[] adjacency, int[] edgeWeights, int[] vertexWeights) {
    this.offsets = offsets;
    this.adjacency = adjacency;
    this.edgeWeights = edgeWeights;
    this.vertexWeights = vertexWeights;
    long total = 0;
    for (int w : vertexWeights) {
      total += w;
    }
    this.totalVertexWeight = total;
  }

  /**
   * A graph of the given rows, copied and checked.
   *
   * @throws IllegalArgumentException naming the vertex or edge that is wrong: offsets that do not
   *     ascend, a neighbour out of range, a self-loop, an edge listed twice, one whose reverse is
   *     missing or weighs differently, a weight below 1 (0 for vertices)
   */
  public static Graph of(int[] offsets, int[] adjacency, int[] edgeWeights, int[] vertexWeights) {
    int n = vertexWeights.length;
    if (offsets.length != n + 1 || offsets[0] != 0 || offsets[n] != adjacency.length) {
      throw new IllegalArgumentException(
          "offsets must have vertices + 1 = "
              + (n + 1)
              + " entries from 0 to adjacency's length "
              + adjacency.length
              + ", had "
              + offsets.length);
    }
    if (edgeWeights.length != adjacency.length) {
      throw new IllegalArgumentException(
          "edgeWeights must be as long as adjacency ("
              + adjacency.length
              + "), was "
              + edgeWeights.length);
    }
    int[] adj = adjacency.clone();
    int[] wgt = edgeWeights.clone();
    for (int v = 0; v < n; v++) {
      if (offsets[v + 1] < offsets[v]) {
        throw new IllegalArgumentException("offsets must ascend, fell at vertex " + v);
      }
      if (vertexWeights[v] < 0) {
        throw new IllegalArgumentException(
            "vertex " + v + " weighs " + vertexWeights[v] + ", must be >= 0");
      }
      sortRow(adj, wgt, offsets[v], offsets[v + 1]);
      for (int i = offsets[v]; i < offsets[v + 1]; i++) {
        int u = adj[i];
        if (u < 0 || u >= n) {
          throw new IllegalArgumentException(
              "vertex " + v + " has neighbour " + u + ", beyond the " + n + " vertices");
        }
        if (u == v) {
          throw new IllegalArgumentException("vertex " + v + " has an edge to itself");
        }
        if (wgt[i] < 1) {
          throw new IllegalArgumentException(
              "edge " + v + "-" + u + " weighs " + wgt[i] + ", must be >= 1");
        }
        if (i > offsets[v] && adj[i - 1] == u) {
          throw new IllegalArgumentException("edge " + v + "-" + u + " is listed twice");
        }
      }
    }
    int[] off = offsets.clone();
    for (int v = 0; v < n; v++) {
      for (int i = off[v]; i < off[v + 1]; i++) {
        int u = adj[i];
        int j = Arrays.binarySearch(adj, off[u], off[u + 1], v);
        if (j < 0 || wgt[j] != wgt[i]) {
          throw new IllegalArgumentException(
              "edge "
                  + v
                  + "-"
                  + u
                  + (j < 0 ? " has no reverse " : " weighs " + wgt[i] + " but its reverse ")
                  + u
                  + "-"
                  + v
                  + (j < 0 ? "" : " weighs " + wgt[j])
                  + ": the graph must be undirected");
        }
      }
    }
    return new Graph(off, adj, wgt, vertexWeights.clone());
  }

  /** Sorts one row by neighbour, its weights along. Rows are short: insertion sort. */
  private static void sortRow(int[] adj, int[] wgt, int from, int to) {
    for (int i = from + 1; i < to; i++) {
      int a = adj[i];
      int w = wgt[i];
      int j = i - 1;
      while (j >= from && adj[j] > a) {
        adj[j + 1] = adj[j];
        wgt[j + 1] = wgt[j];
        j--;
      }
      adj[j + 1] = a;
      wgt[j + 1] = w;
    }
  }

  /** A builder of a graph of {@code vertices} vertices, each of weight 1 until set. */
  public static Builder builder(int vertices) {
    return new Builder(vertices);
  }

  public int vertexCount() {
    return vertexWeights.length;
  }

  /** Undirected edges: each counted once. */
  public int edgeCount() {
    return adjacency.length / 2;
  }

  public int vertexWeight(int v) {
    return vertexWeights[v];
  }

  public long totalVertexWeight() {
    return totalVertexWeight;
  }

  public int degree(int v) {
    return offsets[v + 1] - offsets[v];
  }

  /** The {@code i}-th neighbour of {@code v}, {@code 0 <= i < degree(v)}. */
  public int neighbor(int v, int i) {
    return adjacency[offsets[v] + i];
  }

  /** The weight of the edge to {@code v}'s {@code i}-th neighbour. */
  public int edgeWeight(int v, int i) {
    return edgeWeights[offsets[v] + i];
  }

  // Package views of the rows, for the partitioner's loops; never modified.
  int[] offsets() {
    return offsets;
  }

  int[] adjacency() {
    return adjacency;
  }

  int[] edgeWeights() {
    return edgeWeights;
  }

  int[] vertexWeights() {
    return vertexWeights;
  }

  /**
   * Collects edges in any order; an edge added twice (either way round) weighs the sum of both. Not
   * thread-safe.
   */
  public static final class Builder {
    private final int[] vertexWeights;
    private int[] from = new int[16];
    private int[] to = new int[16];
    private int[] weight = new int[16];
    private int edges;

    private Builder(int vertices) {
      if (vertices < 0) {
        throw new IllegalArgumentException("vertices must be >= 0, was " + vertices);
      }
      this.vertexWeights = new int[vertices];
      Arrays.fill(vertexWeights, 1);
    }

    public Builder vertexWeight(int v, int weight) {
      check(v);
      if (weight < 0) {
        throw new IllegalArgumentException("vertex " + v + " weight must be >= 0, was " + weight);
      }
      vertexWeights[v] = weight;
      return this;
    }

    /** An edge between {@code u} and {@code v} of {@code weight} (at least 1). */
    public Builder edge(int u, int v, int weight) {
      check(u);
      check(v);
      if (u == v) {
        throw new IllegalArgumentException("edge " + u + "-" + v + " is a self-loop");
      }
      if (weight < 1) {
        throw new IllegalArgumentException(
            "edge " + u + "-" + v + " weight must be >= 1, was " + weight);
      }
      if (edges == from.length) {
        from = Arrays.copyOf(from, edges * 2);
        to = Arrays.copyOf(to, edges * 2);
        this.weight = Arrays.copyOf(this.weight, edges * 2);
      }
      from[edges] = u;
      to[edges] = v;
      this.weight[edges] = weight;
      edges++;
      return this;
    }

    private void check(int v) {
      if (v < 0 || v >= vertexWeights.length) {
        throw new IllegalArgumentException(
            "vertex " + v + " is beyond the " + vertexWeights.length + " vertices");
      }
    }

    public Graph build() {
      int n = vertexWeights.length;
      int[] degree = new int[n + 1];
      for (int e = 0; e < edges; e++) {
        degree[from[e]]++;
        degree[to[e]]++;
      }
      int[] offsets = new int[n + 1];
      for (int v = 0; v < n; v++) {
        offsets[v + 1] = offsets[v] + degree[v];
      }
      int[] fill = Arrays.copyOf(offsets, n);
      int[] adj = new int[offsets[n]];
      int[] wgt = new int[offsets[n]];
      for (int e = 0; e < edges; e++) {
        adj[fill[from[e]]] = to[e];
        wgt[fill[from[e]]++] = weight[e];
        adj[fill[to[e]]] = from[e];
        wgt[fill[to[e]]++] = weight[e];
      }
      // Sort each row and merge repeated neighbours, summing their weights.
      int[] outOffsets = new int[n + 1];
      int out = 0;
      for (int v = 0; v < n; v++) {
        sortRow(adj, wgt, offsets[v], offsets[v + 1]);
        outOffsets[v] = out;
        for (int i = offsets[v]; i < offsets[v + 1]; i++) {
          if (out > outOffsets[v] && adj[out - 1] == adj[i]) {
            wgt[out - 1] = Math.addExact(wgt[out - 1], wgt[i]);
          } else {
            adj[out] = adj[i];
            wgt[out] = wgt[i];
            out++;
          }
        }
      }
      outOffsets[n] = out;
      return new Graph(
          outOffsets, Arrays.copyOf(adj, out), Arrays.copyOf(wgt, out), vertexWeights.clone());
    }
  }
}
