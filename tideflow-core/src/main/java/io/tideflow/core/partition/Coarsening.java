package io.tideflow.core.partition;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One coarsening step of the multilevel scheme: heavy-edge matching (each vertex, in random order,
 * pairs with the unmatched neighbour it shares the heaviest edge with), then contraction of each
 * pair into one vertex whose weight is the pair's and whose edges sum theirs. Heavy edges vanish
 * inside coarse vertices, so a good cut of the coarse graph is one of the fine graph too.
 */
final class Coarsening {
  /**
   * A step that keeps more than this fraction of the vertices has stalled and is dropped (METIS's
   * 0.85). On a skewed graph the steps that follow shrink it little and merge hubs with their
   * neighbours into coarse vertices no cut can split well: stopping there cut R-MAT graphs at k = 8
   * by 5-12 % against stopping at 0.9.
   */
  private static final double STALL = 0.85;

  private Coarsening() {}

  /** A coarse graph and, for each fine vertex, the coarse vertex it went into. */
  record Level(Graph coarse, int[] map) {}

  /**
   * One step down from {@code g}; a coarse vertex weighs at most {@code maxVertexWeight}. Null when
   * the step would shrink the graph by less than 15 % (matching has stalled).
   */
  static Level coarsen(Graph g, long maxVertexWeight, SplittableRandom random) {
    return coarsen(g, maxVertexWeight, null, random);
  }

  /**
   * As {@link #coarsen(Graph, long, SplittableRandom)}, matching only vertices of the same part of
   * {@code part} (when not null), so the coarse graph carries that partition unchanged: the
   * V-cycles that refine a partition again from coarse levels.
   */
  static Level coarsen(Graph g, long maxVertexWeight, int[] part, SplittableRandom random) {
    int n = g.vertexCount();
    int[] off = g.offsets();
    int[] adj = g.adjacency();
    int[] wgt = g.edgeWeights();
    int[] vw = g.vertexWeights();
    int[] match = new int[n];
    Arrays.fill(match, -1);
    for (int v : permutation(n, random)) {
      if (match[v] != -1) {
        continue;
      }
      int best = -1;
      int bestWeight = 0;
      for (int i = off[v]; i < off[v + 1]; i++) {
        int u = adj[i];
        if (match[u] == -1
            && (part == null || part[u] == part[v])
            && (long) vw[v] + vw[u] <= maxVertexWeight
            && (wgt[i] > bestWeight || (wgt[i] == bestWeight && best >= 0 && vw[u] < vw[best]))) {
          best = u;
          bestWeight = wgt[i];
        }
      }
      if (best == -1) {
        match[v] = v;
      } else {
        match[v] = best;
        match[best] = v;
      }
    }
    int[] map = new int[n];
    Arrays.fill(map, -1);
    int coarse = 0;
    for (int v = 0; v < n; v++) {
      if (map[v] == -1) {
        map[v] = coarse;
        map[match[v]] = coarse;
        coarse++;
      }
    }
    if (coarse > n * STALL) {
      return null;
    }
    return new Level(contract(g, match, map, coarse), map);
  }

  private static Graph contract(Graph g, int[] match, int[] map, int coarse) {
    int n = g.vertexCount();
    int[] off = g.offsets();
    int[] adj = g.adjacency();
    int[] wgt = g.edgeWeights();
    int[] vw = g.vertexWeights();
    int[] cOff = new int[coarse + 1];
    int[] cAdj = new int[adj.length];
    int[] cWgt = new int[adj.length];
    int[] cVw = new int[coarse];
    // slot[c] is where coarse neighbour c sits in the row being built, or -1.
    int[] slot = new int[coarse];
    Arrays.fill(slot, -1);
    int out = 0;
    for (int v = 0; v < n; v++) {
      int c = map[v];
      if (v != Math.min(v, match[v])) {
        continue; // the pair is built from its smaller vertex
      }
      cOff[c] = out;
      int rowStart = out;
      int u = match[v];
      cVw[c] = vw[v] + (u != v ? vw[u] : 0);
      for (int end = 0; end < (u != v ? 2 : 1); end++) {
        int x = end == 0 ? v : u;
        for (int i = off[x]; i < off[x + 1]; i++) {
          int cu = map[adj[i]];
          if (cu == c) {
            continue; // the edge inside the pair
          }
          if (slot[cu] == -1) {
            slot[cu] = out;
            cAdj[out] = cu;
            cWgt[out] = wgt[i];
            out++;
          } else {
            cWgt[slot[cu]] += wgt[i];
          }
        }
      }
      for (int i = rowStart; i < out; i++) {
        slot[cAdj[i]] = -1;
      }
    }
    cOff[coarse] = out;
    // Rows were written in the order of their smaller fine vertex, which is coarse order.
    return new Graph(cOff, Arrays.copyOf(cAdj, out), Arrays.copyOf(cWgt, out), cVw);
  }

  static int[] permutation(int n, SplittableRandom random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
