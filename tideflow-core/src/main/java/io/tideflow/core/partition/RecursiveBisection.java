package io.tideflow.core.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The initial k-way cut of the coarsest graph: bisected into the first half of the parts and the
 * second (by their shares), each side bisected again on its own subgraph, until every side is one
 * part. Each bisection cuts its graph directly or, multilevel, cuts a coarsened copy and refines it
 * back up.
 */
final class RecursiveBisection {
  /** Grown-and-refined cuts tried per bisection; the best is kept. */
  private static final int TRIES = 8;

  private RecursiveBisection() {}

  /**
   * @param multilevel whether each bisection coarsens its side further, cuts it there and refines
   *     back up, rather than cutting the side itself
   */
  static int[] partition(
      Graph g, PartitionRequest request, long[] max, boolean multilevel, SplittableRandom r) {
    int[] part = new int[g.vertexCount()];
    int[] ids = new int[g.vertexCount()];
    for (int v = 0; v < ids.length; v++) {
      ids[v] = v;
    }
    split(g, ids, 0, request.parts(), request.targets(), max, multilevel, part, r);
    return part;
  }

  /** Assigns the vertices {@code ids} of the original graph, {@code g} their subgraph. */
  private static void split(
      Graph g,
      int[] ids,
      int first,
      int k,
      double[] targets,
      long[] max,
      boolean multilevel,
      int[] part,
      SplittableRandom r) {
    if (k == 1) {
      for (int id : ids) {
        part[id] = first;
      }
      return;
    }
    int left = k / 2;
    double all = 0;
    double leftShare = 0;
    long leftMax = 0;
    long rightMax = 0;
    for (int p = first; p < first + k; p++) {
      all += targets[p];
      if (p < first + left) {
        leftShare += targets[p];
        leftMax += max[p];
      } else {
        rightMax += max[p];
      }
    }
    // A coarsest graph that stayed large (matching stalled on a skewed graph) gets few tries: its
    // sides, smaller, get the full number further down.
    int tries = g.vertexCount() > 400 ? TRIES / 4 : TRIES;
    int[] side =
        multilevel
            ? multilevelBisect(g, leftShare / all, leftMax, rightMax, tries, r)
            : Bisection.bisect(g, leftShare / all, leftMax, rightMax, tries, r);
    for (int s = 0; s < 2; s++) {
      int count = 0;
      for (int x : side) {
        if (x == s) {
          count++;
        }
      }
      int[] local = new int[g.vertexCount()];
      Arrays.fill(local, -1);
      int[] subIds = new int[count];
      int next = 0;
      for (int v = 0; v < side.length; v++) {
        if (side[v] == s) {
          local[v] = next;
          subIds[next++] = ids[v];
        }
      }
      Graph sub = induced(g, side, s, local, count);
      if (s == 0) {
        split(sub, subIds, first, left, targets, max, multilevel, part, r);
      } else {
        split(sub, subIds, first + left, k - left, targets, max, multilevel, part, r);
      }
    }
  }

  /** A multilevel bisection cuts its side once coarsened to this many vertices. */
  private static final int MULTILEVEL_TO = 24;

  /**
   * A bisection of {@code g} the multilevel way: coarsened until small, cut there (the best of
   * {@code tries}), and refined by FM at every level on the way back up.
   */
  static int[] multilevelBisect(
      Graph g, double share, long max0, long max1, int tries, SplittableRandom r) {
    List<Coarsening.Level> levels = new ArrayList<>();
    Graph current = g;
    long maxVw = Math.max(1, (long) Math.ceil(1.5 * g.totalVertexWeight() / MULTILEVEL_TO));
    while (current.vertexCount() > MULTILEVEL_TO) {
      Coarsening.Level level = Coarsening.coarsen(current, maxVw, r);
      if (level == null) {
        break;
      }
      levels.add(level);
      current = level.coarse();
    }
    int[] side = Bisection.bisect(current, share, max0, max1, tries, r);
    for (int l = levels.size() - 1; l >= 0; l--) {
      int[] map = levels.get(l).map();
      Graph finer = l == 0 ? g : levels.get(l - 1).coarse();
      int[] projected = new int[finer.vertexCount()];
      for (int v = 0; v < projected.length; v++) {
        projected[v] = side[map[v]];
      }
      side = projected;
      Bisection.refine(finer, side, max0, max1);
    }
    return side;
  }

  /** The subgraph of the vertices on side {@code s}, numbered by {@code local}. */
  private static Graph induced(Graph g, int[] side, int s, int[] local, int count) {
    int[] off = g.offsets();
    int[] adj = g.adjacency();
    int[] wgt = g.edgeWeights();
    int[] subOff = new int[count + 1];
    int[] subAdj = new int[adj.length];
    int[] subWgt = new int[adj.length];
    int[] subVw = new int[count];
    int out = 0;
    for (int v = 0; v < side.length; v++) {
      if (side[v] != s) {
        continue;
      }
      int lv = local[v];
      subOff[lv] = out;
      subVw[lv] = g.vertexWeight(v);
      for (int i = off[v]; i < off[v + 1]; i++) {
        if (side[adj[i]] == s) {
          subAdj[out] = local[adj[i]];
          subWgt[out++] = wgt[i];
        }
      }
    }
    subOff[count] = out;
    return new Graph(subOff, Arrays.copyOf(subAdj, out), Arrays.copyOf(subWgt, out), subVw);
  }
}
