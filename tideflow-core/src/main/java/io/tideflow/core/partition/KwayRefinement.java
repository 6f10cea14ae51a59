package io.tideflow.core.partition;

import java.util.SplittableRandom;

/**
 * Greedy k-way refinement, METIS's refinement of k-way cuts: boundary vertices, in random order,
 * move to the neighbouring part they are most connected to when that lowers the cut (or keeps it
 * and evens the weights) and the part stays within its bound. Before that, parts over their bound
 * hand vertices to parts under theirs, losing as little cut as they can.
 */
final class KwayRefinement {
  private static final int MAX_PASSES = 10;

  private KwayRefinement() {}

  /** Refines {@code part} (values in {@code [0, max.length)}) in place. */
  static void refine(Graph g, int[] part, long[] max, SplittableRandom r) {
    int k = max.length;
    long[] w = new long[k];
    for (int v = 0; v < part.length; v++) {
      w[part[v]] += g.vertexWeight(v);
    }
    Scratch s = new Scratch(k);
    balance(g, part, w, max, s, r);
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      if (improve(g, part, w, max, s, r) == 0) {
        break;
      }
    }
  }

  /** Moves vertices out of parts over their bound, as {@link #refine} does first. */
  static void balance(Graph g, int[] part, long[] w, long[] max, SplittableRandom r) {
    balance(g, part, w, max, new Scratch(max.length), r);
  }

  /** Per-part connectivity of one vertex, reset after each use. */
  private static final class Scratch {
    final long[] conn;
    final int[] touched;
    int count;

    Scratch(int k) {
      conn = new long[k];
      touched = new int[k];
    }

    void load(Graph g, int v, int[] part) {
      int[] off = g.offsets();
      int[] adj = g.adjacency();
      int[] wgt = g.edgeWeights();
      count = 0;
      for (int i = off[v]; i < off[v + 1]; i++) {
        int p = part[adj[i]];
        if (conn[p] == 0) {
          touched[count++] = p;
        }
        conn[p] += wgt[i];
      }
    }

    void reset() {
      for (int i = 0; i < count; i++) {
        conn[touched[i]] = 0;
      }
      count = 0;
    }
  }

  /** One greedy pass; how many vertices moved. */
  private static int improve(
      Graph g, int[] part, long[] w, long[] max, Scratch s, SplittableRandom r) {
    int moved = 0;
    int[] vw = g.vertexWeights();
    for (int v : Coarsening.permutation(part.length, r)) {
      s.load(g, v, part);
      int from = part[v];
      long internal = s.conn[from];
      if (s.count == 0 || (s.count == 1 && s.touched[0] == from)) {
        s.reset();
        continue; // not on the boundary
      }
      int best = from;
      long bestGain = 0;
      for (int i = 0; i < s.count; i++) {
        int p = s.touched[i];
        if (p == from || w[p] + vw[v] > max[p]) {
          continue;
        }
        long gain = s.conn[p] - internal;
        boolean evens = gain == 0 && w[p] + vw[v] < w[from];
        if (gain > bestGain
            || (gain == bestGain && best != from && w[p] < w[best])
            || (best == from && evens && gain >= bestGain)) {
          best = p;
          bestGain = gain;
        }
      }
      s.reset();
      if (best != from) {
        part[v] = best;
        w[from] -= vw[v];
        w[best] += vw[v];
        moved++;
      }
    }
    return moved;
  }

  /**
   * Moves vertices out of parts over their bound into parts with room: for two rounds only into a
   * neighbouring part, the one that loses the least cut, then into the lightest part with room.
   * Stops when every part is within its bound, or after four rounds.
   */
  private static void balance(
      Graph g, int[] part, long[] w, long[] max, Scratch s, SplittableRandom r) {
    int[] vw = g.vertexWeights();
    int k = max.length;
    for (int round = 0; round < 4 && over(w, max); round++) {
      for (int v : Coarsening.permutation(part.length, r)) {
        int from = part[v];
        if (w[from] <= max[from]) {
          continue;
        }
        s.load(g, v, part);
        long internal = s.conn[from];
        int best = -1;
        long bestLoss = Long.MAX_VALUE;
        for (int i = 0; i < s.count; i++) {
          int p = s.touched[i];
          if (p != from && w[p] + vw[v] <= max[p] && internal - s.conn[p] < bestLoss) {
            best = p;
            bestLoss = internal - s.conn[p];
          }
        }
        if (best == -1 && round >= 2) {
          for (int p = 0; p < k; p++) {
            if (p != from && w[p] + vw[v] <= max[p] && (best == -1 || w[p] < w[best])) {
              best = p;
            }
          }
        }
        s.reset();
        if (best != -1) {
          part[v] = best;
          w[from] -= vw[v];
          w[best] += vw[v];
        }
      }
    }
  }

  private static boolean over(long[] w, long[] max) {
    for (int p = 0; p < w.length; p++) {
      if (w[p] > max[p]) {
        return true;
      }
    }
    return false;
  }
}
