package io.tideflow.core.partition;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Incremental partitioning: from where every vertex is now to where the bounds let it be, moving
 * few. Vertices without a part join the part they are most connected to that has room. Parts below
 * their share (a node that joined starts empty) grow as a region, taking from parts over their
 * bound the vertices that cost the least cut, until no part is over. Then greedy moves mend the cut
 * within a budget of moves: twice what the bounds needed, unless told otherwise. A vertex going
 * back to its old part gives a move back.
 */
final class Repartition {
  private static final int MEND_PASSES = 4;

  private Repartition() {}

  static int[] repartition(
      Graph g, PartitionRequest request, long[] max, int[] current, SplittableRandom r) {
    int n = g.vertexCount();
    if (current.length != n) {
      throw new IllegalArgumentException(
          "the current assignment must have one part per vertex ("
              + n
              + "), had "
              + current.length);
    }
    int k = max.length;
    int[] part = current.clone();
    long[] w = new long[k];
    for (int v = 0; v < n; v++) {
      if (part[v] >= 0) {
        w[part[v]] += g.vertexWeight(v);
      }
    }
    long total = g.totalVertexWeight();
    long[] share = new long[k];
    for (int p = 0; p < k; p++) {
      share[p] = Math.round(request.target(p) * total);
    }
    // The fewest vertices that must leave their parts: the weight over the bounds, in vertices
    // of the heaviest weight (exact for unit weights).
    long over = 0;
    for (int p = 0; p < k; p++) {
      over += Math.max(0, w[p] - max[p]);
    }
    int heaviest = 1;
    for (int v = 0; v < n; v++) {
      heaviest = Math.max(heaviest, g.vertexWeight(v));
    }
    int forced = (int) Math.min(Integer.MAX_VALUE / 2, (over + heaviest - 1) / heaviest);
    Conn conn = new Conn(k);
    placeUnassigned(g, part, w, max, share, conn, r);
    for (int p = 0; p < k; p++) {
      grow(g, part, w, max, share, p, conn);
    }
    KwayRefinement.balance(g, part, w, max, r);
    int needed = moved(part, current);
    int budget = Math.max(needed, request.maxMoves() >= 0 ? request.maxMoves() : 2 * forced);
    PairwiseRefinement.refine(g, part, max, current, budget);
    Arrays.fill(w, 0);
    for (int v = 0; v < n; v++) {
      w[part[v]] += g.vertexWeight(v);
    }
    mend(g, part, current, w, max, budget, conn, r);
    return part;
  }

  /** How many vertices that had a part are in another now. */
  static int moved(int[] part, int[] current) {
    int moved = 0;
    for (int v = 0; v < part.length; v++) {
      if (current[v] >= 0 && part[v] != current[v]) {
        moved++;
      }
    }
    return moved;
  }

  /** Per-part connectivity of one vertex. */
  private static final class Conn {
    final long[] of;

    Conn(int k) {
      of = new long[k];
    }

    void load(Graph g, int v, int[] part) {
      Arrays.fill(of, 0);
      int[] off = g.offsets();
      int[] adj = g.adjacency();
      int[] wgt = g.edgeWeights();
      for (int i = off[v]; i < off[v + 1]; i++) {
        if (part[adj[i]] >= 0) {
          of[part[adj[i]]] += wgt[i];
        }
      }
    }
  }

  private static void placeUnassigned(
      Graph g, int[] part, long[] w, long[] max, long[] share, Conn conn, SplittableRandom r) {
    for (int v : Coarsening.permutation(part.length, r)) {
      if (part[v] >= 0) {
        continue;
      }
      conn.load(g, v, part);
      int best = -1;
      for (int p = 0; p < max.length; p++) {
        boolean room = w[p] + g.vertexWeight(v) <= max[p];
        if (best == -1
            || (room && w[best] + g.vertexWeight(v) > max[best])
            || (room == (w[best] + g.vertexWeight(v) <= max[best])
                && (conn.of[p] > conn.of[best]
                    || (conn.of[p] == conn.of[best]
                        && w[p] * (double) share[best] < w[best] * (double) share[p])))) {
          best = p;
        }
      }
      part[v] = best;
      w[best] += g.vertexWeight(v);
    }
  }

  /**
   * Grows part {@code p} towards its share while some part is over its bound: from its boundary if
   * it has one, else from the vertex of the heaviest part with the most edges leaving that part.
   */
  private static void grow(
      Graph g, int[] part, long[] w, long[] max, long[] share, int p, Conn conn) {
    int n = part.length;
    int[] off = g.offsets();
    int[] adj = g.adjacency();
    GainHeap heap = new GainHeap();
    boolean[] queued = new boolean[n];
    for (int v = 0; v < n; v++) {
      if (part[v] == p) {
        for (int i = off[v]; i < off[v + 1]; i++) {
          int u = adj[i];
          if (part[u] != p && !queued[u]) {
            queued[u] = true;
            heap.push(gain(g, u, p, part, conn), u);
          }
        }
      }
    }
    while (w[p] < share[p] && anyOver(w, max)) {
      int v = -1;
      while (!heap.isEmpty()) {
        long e = heap.pop();
        int u = GainHeap.vertex(e);
        int now = gain(g, u, p, part, conn);
        if (part[u] == p || w[part[u]] <= share[part[u]]) {
          continue; // only parts above their share give
        }
        if (GainHeap.gain(e) != now) {
          heap.push(now, u); // stale: back in at its current gain
          continue;
        }
        v = u;
        break;
      }
      if (v == -1) {
        v = seed(g, part, w, share, p);
        if (v == -1) {
          return;
        }
      }
      if (w[p] + g.vertexWeight(v) > max[p]) {
        return;
      }
      w[part[v]] -= g.vertexWeight(v);
      part[v] = p;
      w[p] += g.vertexWeight(v);
      for (int i = off[v]; i < off[v + 1]; i++) {
        int u = adj[i];
        if (part[u] != p) {
          queued[u] = true;
          heap.push(gain(g, u, p, part, conn), u);
        }
      }
    }
  }

  /** How much the cut falls if {@code v} joins part {@code p}. */
  private static int gain(Graph g, int v, int p, int[] part, Conn conn) {
    conn.load(g, v, part);
    return (int) Math.max(Integer.MIN_VALUE, conn.of[p] - conn.of[part[v]]);
  }

  /**
   * A vertex for part {@code p} to start from: in a part above its share, where the most parts meet
   * (then with the most edges leaving its part), so that the region grown from it can take from all
   * of them and stay in one piece.
   */
  private static int seed(Graph g, int[] part, long[] w, long[] share, int p) {
    int best = -1;
    int bestParts = 0;
    long bestExternal = -1;
    boolean[] seen = new boolean[w.length];
    for (int v = 0; v < part.length; v++) {
      int own = part[v];
      if (own == p || w[own] <= share[own]) {
        continue;
      }
      int parts = 1;
      long external = 0;
      seen[own] = true;
      for (int i = 0; i < g.degree(v); i++) {
        int q = part[g.neighbor(v, i)];
        if (q != own) {
          external += g.edgeWeight(v, i);
        }
        if (!seen[q]) {
          seen[q] = true;
          parts++;
        }
      }
      seen[own] = false;
      for (int i = 0; i < g.degree(v); i++) {
        seen[part[g.neighbor(v, i)]] = false;
      }
      if (parts > bestParts || (parts == bestParts && external > bestExternal)) {
        best = v;
        bestParts = parts;
        bestExternal = external;
      }
    }
    return best;
  }

  private static boolean anyOver(long[] w, long[] max) {
    for (int p = 0; p < w.length; p++) {
      if (w[p] > max[p]) {
        return true;
      }
    }
    return false;
  }

  /** Greedy cut-lowering moves within the bounds, as long as the moves stay within budget. */
  private static void mend(
      Graph g,
      int[] part,
      int[] current,
      long[] w,
      long[] max,
      int budget,
      Conn conn,
      SplittableRandom r) {
    int moved = moved(part, current);
    for (int pass = 0; pass < MEND_PASSES; pass++) {
      int changed = 0;
      for (int v : Coarsening.permutation(part.length, r)) {
        conn.load(g, v, part);
        int from = part[v];
        int best = from;
        long bestGain = 0;
        for (int p = 0; p < max.length; p++) {
          if (p == from || conn.of[p] == 0 || w[p] + g.vertexWeight(v) > max[p]) {
            continue;
          }
          long gain = conn.of[p] - conn.of[from];
          int cost = cost(v, from, p, current);
          if (gain > bestGain && moved + cost <= budget) {
            best = p;
            bestGain = gain;
          }
        }
        if (best != from) {
          moved += cost(v, from, best, current);
          w[from] -= g.vertexWeight(v);
          w[best] += g.vertexWeight(v);
          part[v] = best;
          changed++;
        }
      }
      if (changed == 0) {
        return;
      }
    }
  }

  /** What moving {@code v} from {@code from} to {@code to} adds to the moves made. */
  private static int cost(int v, int from, int to, int[] current) {
    if (current[v] < 0) {
      return 0;
    }
    return (to != current[v] ? 1 : 0) - (from != current[v] ? 1 : 0);
  }
}
