package io.tideflow.core.partition;

import java.util.ArrayList;
import java.util.List;

/**
 * K-way refinement by two-way FM between neighbouring parts: for each pair of parts that share cut
 * edges, heaviest shared cut first, the vertices of the two are refined as a bisection of their own
 * subgraph. Edges to third parts are cut whichever of the two a vertex is in, so the pair's
 * subgraph gives every move's exact gain; unlike greedy moves, FM climbs through worse states to
 * better ones.
 */
final class PairwiseRefinement {
  private PairwiseRefinement() {}

  /** Refines {@code part} in place, each neighbouring pair once. */
  static void refine(Graph g, int[] part, long[] max) {
    int k = max.length;
    long[][] shared = new long[k][k];
    int[] off = g.offsets();
    int[] adj = g.adjacency();
    int[] wgt = g.edgeWeights();
    for (int v = 0; v < part.length; v++) {
      for (int i = off[v]; i < off[v + 1]; i++) {
        if (part[adj[i]] != part[v]) {
          shared[part[v]][part[adj[i]]] += wgt[i];
        }
      }
    }
    List<long[]> pairs = new ArrayList<>();
    for (int a = 0; a < k; a++) {
      for (int b = a + 1; b < k; b++) {
        if (shared[a][b] > 0) {
          pairs.add(new long[] {shared[a][b], a, b});
        }
      }
    }
    pairs.sort((x, y) -> Long.compare(y[0], x[0]));
    int[] local = new int[part.length];
    for (long[] pair : pairs) {
      refinePair(g, part, (int) pair[1], (int) pair[2], max, local);
    }
  }

  private static void refinePair(Graph g, int[] part, int a, int b, long[] max, int[] local) {
    int[] off = g.offsets();
    int[] adj = g.adjacency();
    int[] wgt = g.edgeWeights();
    int count = 0;
    for (int v = 0; v < part.length; v++) {
      local[v] = part[v] == a || part[v] == b ? count++ : -1;
    }
    int[] ids = new int[count];
    int[] subOff = new int[count + 1];
    int[] subVw = new int[count];
    int[] side = new int[count];
    int edges = 0;
    for (int v = 0; v < part.length; v++) {
      if (local[v] >= 0) {
        for (int i = off[v]; i < off[v + 1]; i++) {
          if (local[adj[i]] >= 0) {
            edges++;
          }
        }
      }
    }
    int[] subAdj = new int[edges];
    int[] subWgt = new int[edges];
    int out = 0;
    for (int v = 0; v < part.length; v++) {
      int lv = local[v];
      if (lv < 0) {
        continue;
      }
      ids[lv] = v;
      subVw[lv] = g.vertexWeight(v);
      side[lv] = part[v] == a ? 0 : 1;
      subOff[lv] = out;
      for (int i = off[v]; i < off[v + 1]; i++) {
        if (local[adj[i]] >= 0) {
          subAdj[out] = local[adj[i]];
          subWgt[out++] = wgt[i];
        }
      }
    }
    subOff[count] = out;
    Graph sub = new Graph(subOff, subAdj, subWgt, subVw);
    Bisection.refine(sub, side, max[a], max[b]);
    for (int lv = 0; lv < count; lv++) {
      part[ids[lv]] = side[lv] == 0 ? a : b;
    }
  }
}
