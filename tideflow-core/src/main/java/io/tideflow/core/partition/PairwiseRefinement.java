package io.tideflow.core.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * K-way refinement by two-way FM between neighbouring parts: for each pair of parts that share cut
 * edges, heaviest shared cut first, the vertices of the two are refined as a bisection of their own
 * subgraph. Edges to third parts are cut whichever of the two a vertex is in, so the pair's
 * subgraph gives every move's exact gain; unlike greedy moves, FM climbs through worse states to
 * better ones.
 */
final class PairwiseRefinement {
  /** Less than a whole bisection's: the pair's cut is already refined at coarser levels. */
  private static final int PATIENCE = 64;

  private static final int PASSES = 4;

  private PairwiseRefinement() {}

  /** Refines {@code part} in place, each neighbouring pair once. */
  static void refine(Graph g, int[] part, long[] max) {
    refine(g, part, max, null, Integer.MAX_VALUE);
  }

  /**
   * As {@link #refine(Graph, int[], long[])}, keeping a pair's refinement only while no more than
   * {@code budget} vertices are away from their part in {@code current} (when not null).
   */
  static void refine(Graph g, int[] part, long[] max, int[] current, int budget) {
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
    int[][] members = members(part, k);
    int[] local = new int[part.length];
    Arrays.fill(local, -1);
    for (long[] pair : pairs) {
      int a = (int) pair[1];
      int b = (int) pair[2];
      int[] both = new int[members[a].length + members[b].length];
      System.arraycopy(members[a], 0, both, 0, members[a].length);
      System.arraycopy(members[b], 0, both, members[a].length, members[b].length);
      Arrays.sort(both);
      int[] before = null;
      if (current != null) {
        before = new int[both.length];
        for (int i = 0; i < both.length; i++) {
          before[i] = part[both[i]];
        }
      }
      refinePair(g, part, a, b, max, both, local);
      if (current != null && Repartition.moved(part, current) > budget) {
        for (int i = 0; i < both.length; i++) {
          part[both[i]] = before[i]; // over the budget of moves: this pair stays as it was
        }
      }
      int inA = 0;
      for (int v : both) {
        if (part[v] == a) {
          inA++;
        }
      }
      members[a] = new int[inA];
      members[b] = new int[both.length - inA];
      int ia = 0;
      int ib = 0;
      for (int v : both) {
        if (part[v] == a) {
          members[a][ia++] = v;
        } else {
          members[b][ib++] = v;
        }
      }
    }
  }

  /** The vertices of each part, ascending. */
  private static int[][] members(int[] part, int k) {
    int[] count = new int[k];
    for (int p : part) {
      count[p]++;
    }
    int[][] members = new int[k][];
    for (int p = 0; p < k; p++) {
      members[p] = new int[count[p]];
    }
    int[] fill = new int[k];
    for (int v = 0; v < part.length; v++) {
      members[part[v]][fill[part[v]]++] = v;
    }
    return members;
  }

  /** FM on the subgraph of {@code both}, the vertices of parts a and b; {@code local} all -1. */
  private static void refinePair(
      Graph g, int[] part, int a, int b, long[] max, int[] both, int[] local) {
    int[] off = g.offsets();
    int[] adj = g.adjacency();
    int[] wgt = g.edgeWeights();
    int count = both.length;
    for (int i = 0; i < count; i++) {
      local[both[i]] = i;
    }
    int[] ids = new int[count];
    int[] subOff = new int[count + 1];
    int[] subVw = new int[count];
    int[] side = new int[count];
    int edges = 0;
    for (int v : both) {
      for (int i = off[v]; i < off[v + 1]; i++) {
        if (local[adj[i]] >= 0) {
          edges++;
        }
      }
    }
    int[] subAdj = new int[edges];
    int[] subWgt = new int[edges];
    int out = 0;
    for (int v : both) {
      int lv = local[v];
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
    Bisection.refine(sub, side, max[a], max[b], PATIENCE, PASSES);
    for (int lv = 0; lv < count; lv++) {
      part[ids[lv]] = side[lv] == 0 ? a : b;
      local[ids[lv]] = -1;
    }
  }
}
