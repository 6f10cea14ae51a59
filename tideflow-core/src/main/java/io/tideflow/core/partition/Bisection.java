package io.tideflow.core.partition;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Two-way cuts: growing one side from a random seed vertex, always taking the boundary vertex that
 * adds the least to the cut (greedy graph growing), and Fiduccia–Mattheyses refinement, which moves
 * vertices one at a time by best gain, also through moves that make the cut worse for a while, and
 * keeps the best prefix of the moves.
 */
final class Bisection {
  /** FM gives up a pass after this many moves without a better state. */
  private static final int PATIENCE = 256;

  private static final int MAX_PASSES = 8;

  private Bisection() {}

  /**
   * A bisection of {@code g} whose side 0 weighs about {@code share} of the total, at most {@code
   * max0} and side 1 at most {@code max1}: the best of {@code tries} grown and refined cuts.
   */
  static int[] bisect(Graph g, double share, long max0, long max1, int tries, SplittableRandom r) {
    int[] best = null;
    long bestExcess = Long.MAX_VALUE;
    long bestCut = Long.MAX_VALUE;
    for (int t = 0; t < tries; t++) {
      int[] side = grow(g, share, r);
      refine(g, side, max0, max1);
      long[] w = weights(g, side);
      long excess = Math.max(0, w[0] - max0) + Math.max(0, w[1] - max1);
      long cut = Partition.cut(g, side);
      if (excess < bestExcess || (excess == bestExcess && cut < bestCut)) {
        best = side;
        bestExcess = excess;
        bestCut = cut;
      }
    }
    return best;
  }

  /** Side 0 grown from a random vertex until it holds {@code share} of the weight. */
  static int[] grow(Graph g, double share, SplittableRandom r) {
    int n = g.vertexCount();
    int[] off = g.offsets();
    int[] adj = g.adjacency();
    int[] wgt = g.edgeWeights();
    int[] vw = g.vertexWeights();
    int[] side = new int[n];
    Arrays.fill(side, 1);
    if (n == 0) {
      return side;
    }
    double target = share * g.totalVertexWeight();
    // gain[v]: how much the cut falls if v joins side 0 (edges to side 0 minus edges to side 1).
    int[] gain = new int[n];
    for (int v = 0; v < n; v++) {
      for (int i = off[v]; i < off[v + 1]; i++) {
        gain[v] -= wgt[i];
      }
    }
    GainHeap heap = new GainHeap();
    long grown = 0;
    int[] order = Coarsening.permutation(n, r);
    int nextSeed = 0;
    while (grown < target) {
      int v = -1;
      while (!heap.isEmpty()) {
        long e = heap.pop();
        int u = GainHeap.vertex(e);
        if (side[u] == 1 && GainHeap.gain(e) == gain[u]) {
          v = u;
          break;
        }
      }
      if (v == -1) {
        // A new component, or the start: seed from a random vertex still on side 1.
        while (nextSeed < n && side[order[nextSeed]] == 0) {
          nextSeed++;
        }
        if (nextSeed == n) {
          break;
        }
        v = order[nextSeed];
      }
      if (grown > 0 && grown + vw[v] - target > target - grown) {
        break; // taking it would overshoot more than stopping short
      }
      side[v] = 0;
      grown += vw[v];
      for (int i = off[v]; i < off[v + 1]; i++) {
        int u = adj[i];
        if (side[u] == 1) {
          gain[u] += 2 * wgt[i];
          heap.push(gain[u], u);
        }
      }
    }
    return side;
  }

  static long[] weights(Graph g, int[] side) {
    long[] w = new long[2];
    for (int v = 0; v < side.length; v++) {
      w[side[v]] += g.vertexWeight(v);
    }
    return w;
  }

  /**
   * FM passes on {@code side} in place until one finds nothing better. A state is better when it is
   * over the bounds by less, or as far over and cut less.
   */
  static void refine(Graph g, int[] side, long max0, long max1) {
    refine(g, side, max0, max1, PATIENCE, MAX_PASSES);
  }

  /** As {@link #refine(Graph, int[], long, long)}, with its own patience and number of passes. */
  static void refine(Graph g, int[] side, long max0, long max1, int patience, int passes) {
    int n = g.vertexCount();
    // On a small graph a long patience would only move every vertex and take the moves back.
    patience = Math.min(patience, Math.max(16, n / 4));
    int[] off = g.offsets();
    int[] adj = g.adjacency();
    int[] wgt = g.edgeWeights();
    int[] vw = g.vertexWeights();
    long[] max = {max0, max1};
    int[] gain = new int[n];
    boolean[] locked = new boolean[n];
    int[] moved = new int[n];
    GainHeap[] heaps = {new GainHeap(), new GainHeap()};
    for (int pass = 0; pass < passes; pass++) {
      long[] w = weights(g, side);
      long cut = 0;
      heaps[0].clear();
      heaps[1].clear();
      for (int v = 0; v < n; v++) {
        int ext = 0;
        int in = 0;
        for (int i = off[v]; i < off[v + 1]; i++) {
          if (side[adj[i]] != side[v]) {
            ext += wgt[i];
          } else {
            in += wgt[i];
          }
        }
        gain[v] = ext - in;
        cut += ext;
        locked[v] = false;
        if (ext > 0) {
          heaps[side[v]].push(gain[v], v);
        }
      }
      cut /= 2;
      long startExcess = excess(w, max);
      long bestExcess = startExcess;
      long bestCut = cut;
      int bestMoves = 0;
      int moves = 0;
      while (moves - bestMoves < patience) {
        int v = pick(heaps, side, gain, locked, vw, w, max);
        if (v == -1) {
          break;
        }
        int from = side[v];
        int to = 1 - from;
        cut -= gain[v];
        side[v] = to;
        w[from] -= vw[v];
        w[to] += vw[v];
        locked[v] = true;
        moved[moves++] = v;
        for (int i = off[v]; i < off[v + 1]; i++) {
          int u = adj[i];
          if (locked[u]) {
            continue;
          }
          gain[u] += side[u] == to ? -2 * wgt[i] : 2 * wgt[i];
          heaps[side[u]].push(gain[u], u);
        }
        long ex = excess(w, max);
        if (ex < bestExcess || (ex == bestExcess && cut < bestCut)) {
          bestExcess = ex;
          bestCut = cut;
          bestMoves = moves;
        }
      }
      for (int m = moves - 1; m >= bestMoves; m--) {
        side[moved[m]] = 1 - side[moved[m]]; // undo what came after the best state
      }
      if (bestMoves == 0) {
        return;
      }
    }
  }

  /**
   * The unlocked vertex to move next: from the side that is over its bound if one is, else the best
   * gain whose move keeps the other side within its bound. -1 when there is none.
   */
  private static int pick(
      GainHeap[] heaps, int[] side, int[] gain, boolean[] locked, int[] vw, long[] w, long[] max) {
    int[] top = {top(heaps[0], 0, side, gain, locked), top(heaps[1], 1, side, gain, locked)};
    for (int s = 0; s < 2; s++) {
      if (w[s] > max[s] && top[s] != -1) {
        heaps[s].pop();
        return top[s];
      }
    }
    int choice = -1;
    for (int s = 0; s < 2; s++) {
      int v = top[s];
      if (v == -1 || w[1 - s] + vw[v] > max[1 - s]) {
        continue;
      }
      if (choice == -1 || gain[v] > gain[choice]) {
        choice = v;
      }
    }
    if (choice != -1) {
      heaps[side[choice]].pop();
    }
    return choice;
  }

  /** The vertex atop {@code heap} after dropping stale entries, not removed; -1 if none. */
  private static int top(GainHeap heap, int s, int[] side, int[] gain, boolean[] locked) {
    while (!heap.isEmpty()) {
      long e = heap.peek();
      int v = GainHeap.vertex(e);
      if (!locked[v] && side[v] == s && GainHeap.gain(e) == gain[v]) {
        return v;
      }
      heap.pop();
    }
    return -1;
  }

  private static long excess(long[] w, long[] max) {
    return Math.max(0, w[0] - max[0]) + Math.max(0, w[1] - max[1]);
  }
}
