package io.tideflow.core.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * K-way refinement by two-way FM between neighbouring parts: for each pair of parts that share cut
 * edges, heaviest shared cut first, the vertices of the two are refined as a bisection. Edges to
 * third parts are cut whichever of the two a vertex is in, so counting only the edges within the
 * pair gives every move's exact gain; unlike greedy moves, FM climbs through worse states to better
 * ones.
 *
 * <p>The FM runs on the whole graph in place, starting each pass from the vertices on the pair's
 * boundary (listed for every pair in one sweep, and extended as vertices move) and computing other
 * vertices' gains only when a neighbour's move reaches them: on a skewed graph, where nearly every
 * pair of parts neighbours, a pair costs its boundary rather than both its parts.
 */
final class PairwiseRefinement {
  /** Less than a whole bisection's: the pair's cut is already refined at coarser levels. */
  private static final int PATIENCE = 64;

  private static final int PASSES = 4;

  private PairwiseRefinement() {}

  /** Refines {@code part} in place, each neighbouring pair once. */
  static void refine(Graph g, int[] part, long[] max) {
    refine(g, part, max, null, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /**
   * As {@link #refine(Graph, int[], long[])}, but leaves {@code part} as it is when more than
   * {@code maxPairs} pairs of parts neighbour.
   */
  static void refine(Graph g, int[] part, long[] max, int maxPairs) {
    refine(g, part, max, null, Integer.MAX_VALUE, maxPairs);
  }

  /**
   * As {@link #refine(Graph, int[], long[])}, keeping a pair's refinement only while no more than
   * {@code budget} vertices are away from their part in {@code current} (when not null).
   */
  static void refine(Graph g, int[] part, long[] max, int[] current, int budget) {
    refine(g, part, max, current, budget, Integer.MAX_VALUE);
  }

  private static void refine(
      Graph g, int[] part, long[] max, int[] current, int budget, int maxPairs) {
    int k = max.length;
    int n = part.length;
    int[] off = g.offsets();
    int[] adj = g.adjacency();
    int[] wgt = g.edgeWeights();
    long[][] shared = new long[k][k];
    long[] w = new long[k];
    int[] size = new int[k];
    Boundaries boundaries = new Boundaries(k);
    int[] seen = new int[k];
    Arrays.fill(seen, -1);
    for (int v = 0; v < n; v++) {
      int p = part[v];
      w[p] += g.vertexWeight(v);
      size[p]++;
      for (int i = off[v]; i < off[v + 1]; i++) {
        int q = part[adj[i]];
        if (q != p) {
          shared[p][q] += wgt[i];
          if (seen[q] != v) {
            seen[q] = v;
            boundaries.add(p, q, v);
          }
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
    if (pairs.size() > maxPairs) {
      return;
    }
    pairs.sort((x, y) -> Long.compare(y[0], x[0]));
    Fm fm = new Fm(g, part, w, max, boundaries);
    for (long[] pair : pairs) {
      int a = (int) pair[1];
      int b = (int) pair[2];
      fm.refinePair(a, b, size[a] + size[b]);
      if (current != null && Repartition.moved(part, current) > budget) {
        fm.undoPair(); // over the budget of moves: this pair stays as it was
      }
      fm.recountSizes(size);
    }
  }

  /**
   * For each pair of parts, the vertices that were on its boundary at some point: a superset of
   * those on it now, which FM checks as it starts.
   */
  private static final class Boundaries {
    private final int k;
    private final int[][] lists;
    private final int[] sizes;
    private final Map<Long, int[]> bigLists;
    private final Map<Long, Integer> bigSizes;

    Boundaries(int k) {
      this.k = k;
      boolean small = (long) k * k <= 1 << 16;
      lists = small ? new int[k * k][] : null;
      sizes = small ? new int[k * k] : null;
      bigLists = small ? null : new HashMap<>();
      bigSizes = small ? null : new HashMap<>();
    }

    void add(int p, int q, int v) {
      int a = Math.min(p, q);
      int b = Math.max(p, q);
      if (lists != null) {
        int key = a * k + b;
        int[] list = lists[key];
        if (list == null) {
          list = lists[key] = new int[8];
        } else if (sizes[key] == list.length) {
          list = lists[key] = Arrays.copyOf(list, list.length * 2);
        }
        list[sizes[key]++] = v;
      } else {
        long key = (long) a * k + b;
        int[] list = bigLists.get(key);
        int count = bigSizes.getOrDefault(key, 0);
        if (list == null) {
          list = new int[8];
        } else if (count == list.length) {
          list = Arrays.copyOf(list, list.length * 2);
        }
        list[count] = v;
        bigLists.put(key, list);
        bigSizes.put(key, count + 1);
      }
    }

    /** The list of pair {@code a < b}; its first {@link #size} entries count. */
    int[] list(int a, int b) {
      if (lists != null) {
        int[] list = lists[a * k + b];
        return list == null ? new int[0] : list;
      }
      int[] list = bigLists.get((long) a * k + b);
      return list == null ? new int[0] : list;
    }

    int size(int a, int b) {
      return lists != null ? sizes[a * k + b] : bigSizes.getOrDefault((long) a * k + b, 0);
    }
  }

  /** Two-way FM between two parts of a k-way partition, on the whole graph. */
  private static final class Fm {
    private final int[] part;
    private final long[] w;
    private final long[] max;
    private final Boundaries boundaries;
    private final int[] off;
    private final int[] adj;
    private final int[] wgt;
    private final int[] vw;
    private final int[] gain;

    /** The pass in which a vertex's gain was last computed; its gain is current only then. */
    private final int[] known;

    /** The pass in which a vertex last moved: locked for the rest of it. */
    private final int[] locked;

    /** The pair in which a vertex first moved, and the part it had before. */
    private final int[] touchedIn;

    private final int[] moved;
    private final GainHeap[] heaps = {new GainHeap(), new GainHeap()};
    private int[] touched = new int[64];
    private int[] touchedFrom = new int[64];
    private int touchedCount;
    private int pass;
    private int pairId;
    private int a;
    private int b;

    Fm(Graph g, int[] part, long[] w, long[] max, Boundaries boundaries) {
      this.part = part;
      this.w = w;
      this.max = max;
      this.boundaries = boundaries;
      off = g.offsets();
      adj = g.adjacency();
      wgt = g.edgeWeights();
      vw = g.vertexWeights();
      int n = part.length;
      gain = new int[n];
      known = new int[n];
      locked = new int[n];
      touchedIn = new int[n];
      moved = new int[n];
    }

    /** FM passes between parts {@code a < b}, together {@code count} vertices. */
    void refinePair(int a, int b, int count) {
      this.a = a;
      this.b = b;
      pairId++;
      touchedCount = 0;
      // On a small pair a long patience would only move every vertex and take the moves back.
      int patience = Math.min(PATIENCE, Math.max(16, count / 4));
      for (int p = 0; p < PASSES; p++) {
        if (!pass(patience)) {
          return;
        }
      }
    }

    /** One FM pass; whether it kept any move. */
    private boolean pass(int patience) {
      pass++;
      heaps[0].clear();
      heaps[1].clear();
      int[] list = boundaries.list(a, b);
      int listSize = boundaries.size(a, b);
      for (int i = 0; i < listSize; i++) {
        int v = list[i];
        if ((part[v] != a && part[v] != b) || known[v] == pass) {
          continue;
        }
        if (computeGain(v)) {
          heaps[side(v)].push(gain[v], v);
        }
      }
      long startExcess = excess();
      long bestExcess = startExcess;
      long cut = 0;
      long bestCut = 0;
      int bestMoves = 0;
      int moves = 0;
      while (moves - bestMoves < patience) {
        int v = pick();
        if (v == -1) {
          break;
        }
        int from = part[v];
        int to = from == a ? b : a;
        cut -= gain[v];
        part[v] = to;
        w[from] -= vw[v];
        w[to] += vw[v];
        locked[v] = pass;
        moved[moves++] = v;
        for (int i = off[v]; i < off[v + 1]; i++) {
          int u = adj[i];
          int pu = part[u];
          if ((pu != a && pu != b) || locked[u] == pass) {
            continue;
          }
          if (known[u] == pass) {
            gain[u] += pu == to ? -2 * wgt[i] : 2 * wgt[i];
          } else {
            computeGain(u);
          }
          heaps[side(u)].push(gain[u], u);
        }
        long ex = excess();
        if (ex < bestExcess || (ex == bestExcess && cut < bestCut)) {
          bestExcess = ex;
          bestCut = cut;
          bestMoves = moves;
        }
      }
      for (int m = moves - 1; m >= bestMoves; m--) {
        int v = moved[m];
        int back = part[v] == a ? b : a; // undo what came after the best state
        w[part[v]] -= vw[v];
        w[back] += vw[v];
        part[v] = back;
      }
      for (int m = 0; m < bestMoves; m++) {
        int v = moved[m];
        if (touchedIn[v] != pairId) {
          touchedIn[v] = pairId;
          if (touchedCount == touched.length) {
            touched = Arrays.copyOf(touched, touchedCount * 2);
            touchedFrom = Arrays.copyOf(touchedFrom, touchedCount * 2);
          }
          touched[touchedCount] = v;
          touchedFrom[touchedCount++] = part[v] == a ? b : a;
        }
        extendBoundaries(v);
      }
      return bestMoves > 0;
    }

    /** Lists {@code v}, moved, on the boundaries its move made. */
    private void extendBoundaries(int v) {
      int p = part[v];
      for (int i = off[v]; i < off[v + 1]; i++) {
        int u = adj[i];
        if (part[u] != p) {
          boundaries.add(p, part[u], v);
          boundaries.add(p, part[u], u);
        }
      }
    }

    /** Puts the vertices this pair moved back where they were. */
    void undoPair() {
      for (int i = 0; i < touchedCount; i++) {
        int v = touched[i];
        w[part[v]] -= vw[v];
        w[touchedFrom[i]] += vw[v];
        part[v] = touchedFrom[i];
        extendBoundaries(v);
      }
      touchedCount = 0;
    }

    /** Brings the sizes of parts a and b up to date after the pair. */
    void recountSizes(int[] size) {
      for (int i = 0; i < touchedCount; i++) {
        int v = touched[i];
        if (part[v] != touchedFrom[i]) {
          size[touchedFrom[i]]--;
          size[part[v]]++;
        }
      }
    }

    /** Sets {@code v}'s gain over the pair's edges; whether it has an edge to the other part. */
    private boolean computeGain(int v) {
      int p = part[v];
      int other = p == a ? b : a;
      int ext = 0;
      int in = 0;
      for (int i = off[v]; i < off[v + 1]; i++) {
        int q = part[adj[i]];
        if (q == other) {
          ext += wgt[i];
        } else if (q == p) {
          in += wgt[i];
        }
      }
      gain[v] = ext - in;
      known[v] = pass;
      return ext > 0;
    }

    private int side(int v) {
      return part[v] == a ? 0 : 1;
    }

    private long excess() {
      return Math.max(0, w[a] - max[a]) + Math.max(0, w[b] - max[b]);
    }

    /**
     * The unlocked vertex to move next: from the part that is over its bound if one is, else the
     * best gain whose move keeps the other part within its bound. -1 when there is none.
     */
    private int pick() {
      int[] ends = {a, b};
      int[] top = {top(0), top(1)};
      for (int s = 0; s < 2; s++) {
        if (w[ends[s]] > max[ends[s]] && top[s] != -1) {
          heaps[s].pop();
          return top[s];
        }
      }
      int choice = -1;
      for (int s = 0; s < 2; s++) {
        int v = top[s];
        int to = ends[1 - s];
        if (v == -1 || w[to] + vw[v] > max[to]) {
          continue;
        }
        if (choice == -1 || gain[v] > gain[choice]) {
          choice = v;
        }
      }
      if (choice != -1) {
        heaps[side(choice)].pop();
      }
      return choice;
    }

    /** The vertex atop heap {@code s} after dropping stale entries, not removed; -1 if none. */
    private int top(int s) {
      GainHeap heap = heaps[s];
      int p = s == 0 ? a : b;
      while (!heap.isEmpty()) {
        long e = heap.peek();
        int v = GainHeap.vertex(e);
        if (locked[v] != pass && part[v] == p && known[v] == pass && GainHeap.gain(e) == gain[v]) {
          return v;
        }
        heap.pop();
      }
      return -1;
    }
  }
}
