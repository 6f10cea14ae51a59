package io.tideflow.core.flow;

import io.tideflow.core.model.Resources;
import io.tideflow.core.partition.Graph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Makes a cut of a flow's instances fit the nodes' capacities beyond cpu, which the cut balances:
 * memory, network and custom resources, each held as a hard bound wherever an instance asks for it.
 * While a node holds more of a resource than it offers, one of its instances that asks for that
 * resource moves to the node where it costs the cut least and that has room for all it asks (cpu up
 * to the node's capacity too), preferring nodes that stay within the cut's cpu balance. Pure.
 */
final class CapacityRepair {
  /** Custom resources apart from the built-in dimensions, even one called "memory". */
  private static final String CUSTOM = "custom ";

  private final Graph graph;
  private final String flow;
  private final List<String> dims = new ArrayList<>();
  private final long[][] need;
  private final long[] cpuNeed;
  private final long[][] cap;
  private final long[] cpuCap;
  private final double[] cpuBound;
  private final String[] nodeIds;

  /**
   * @param demands what each vertex asks for, in vertex order
   * @param capacities what each part's node offers
   * @param cpuBound the cpu a part may hold within the cut's balance bound
   */
  CapacityRepair(
      String flow,
      Graph graph,
      Resources[] demands,
      Resources[] capacities,
      double[] cpuBound,
      String[] nodeIds) {
    this.flow = flow;
    this.graph = graph;
    this.cpuBound = cpuBound;
    this.nodeIds = nodeIds;
    TreeSet<String> custom = new TreeSet<>();
    boolean memory = false;
    boolean network = false;
    for (Resources d : demands) {
      memory |= d.memoryBytes() > 0;
      network |= d.networkBytesPerSec() > 0;
      d.custom().forEach((name, amount) -> custom.add(name));
    }
    if (memory) {
      dims.add("memory");
    }
    if (network) {
      dims.add("network");
    }
    for (String name : custom) {
      dims.add(CUSTOM + name);
    }
    need = new long[demands.length][];
    cpuNeed = new long[demands.length];
    for (int v = 0; v < demands.length; v++) {
      need[v] = amounts(demands[v]);
      cpuNeed[v] = graph.vertexWeight(v);
    }
    cap = new long[capacities.length][];
    cpuCap = new long[capacities.length];
    for (int p = 0; p < capacities.length; p++) {
      cap[p] = amounts(capacities[p]);
      cpuCap[p] = capacities[p].cpuMillis();
    }
  }

  private long[] amounts(Resources r) {
    long[] a = new long[dims.size()];
    for (int d = 0; d < a.length; d++) {
      String dim = dims.get(d);
      a[d] =
          switch (dim) {
            case "memory" -> r.memoryBytes();
            case "network" -> r.networkBytesPerSec();
            default -> r.custom().getOrDefault(dim.substring(CUSTOM.length()), 0L);
          };
    }
    return a;
  }

  /**
   * Whether all the instances together fit all the nodes together, dimension by dimension.
   *
   * @throws IllegalArgumentException naming the resource, what is asked and what is offered
   */
  void checkTotals() {
    for (int d = 0; d < dims.size(); d++) {
      long asked = 0;
      long offered = 0;
      for (long[] n : need) {
        asked = saturatedAdd(asked, n[d]);
      }
      for (long[] c : cap) {
        offered = saturatedAdd(offered, c[d]);
      }
      if (asked > offered) {
        throw new IllegalArgumentException(
            "flow "
                + flow
                + " needs "
                + amount(dims.get(d), asked)
                + " of "
                + dims.get(d)
                + ", its "
                + cap.length
                + " node(s) offer "
                + amount(dims.get(d), offered));
      }
    }
  }

  /** {@code value} of resource {@code dim} as a person reads it: bytes with their binary unit. */
  static String amount(String dim, long value) {
    String unit =
        switch (dim) {
          case "memory" -> " bytes";
          case "network" -> " bytes/s";
          default -> "";
        };
    if (unit.isEmpty()) {
      return Long.toString(value);
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    for (int i = units.length - 1; i >= 0; i--) {
      long u = 1L << (10 * (i + 1));
      if (value >= u) {
        return String.format(
            java.util.Locale.ROOT,
            "%.1f %s%s (%d%s)",
            (double) value / u,
            units[i],
            unit.substring(" bytes".length()),
            value,
            unit);
      }
    }
    return value + unit;
  }

  /**
   * {@code assignment} moved until every node holds no more than it offers. Pinned instances stay
   * where they are; instances in part {@code -1} (on a node outside these, such as one that drains)
   * neither count nor move.
   *
   * @throws IllegalArgumentException when a node holds more than it offers and neither moving its
   *     instances one by one nor packing all unpinned ones afresh found a fit, naming the node and
   *     the resource
   */
  int[] repair(int[] assignment, boolean[] pinned) {
    int[] a = assignment.clone();
    if (dims.isEmpty()) {
      return a;
    }
    int k = cap.length;
    long[][] used = new long[k][dims.size()];
    long[] cpuUsed = new long[k];
    for (int v = 0; v < a.length; v++) {
      if (a[v] >= 0) {
        add(used[a[v]], need[v], 1);
        cpuUsed[a[v]] += cpuNeed[v];
      }
    }
    long[] toward = new long[k];
    // Each move takes an instance off a node over its capacity onto one with room for all it asks,
    // so never over in any of those: no instance moves twice, and n moves bound the loop.
    for (int step = 0; step <= a.length; step++) {
      int over = -1;
      int dim = -1;
      for (int p = 0; p < k && over < 0; p++) {
        for (int d = 0; d < dims.size(); d++) {
          if (used[p][d] > cap[p][d]) {
            over = p;
            dim = d;
            break;
          }
        }
      }
      if (over < 0) {
        return a;
      }
      int bestV = -1;
      int bestQ = -1;
      long bestScore = Long.MAX_VALUE;
      for (int v = 0; v < a.length; v++) {
        if (a[v] != over || need[v][dim] == 0 || pinned[v]) {
          continue;
        }
        Arrays.fill(toward, 0);
        for (int i = 0; i < graph.degree(v); i++) {
          int part = a[graph.neighbor(v, i)];
          if (part >= 0) {
            toward[part] += graph.edgeWeight(v, i);
          }
        }
        for (int q = 0; q < k; q++) {
          if (q == over || !fits(used[q], need[v], cap[q])) {
            continue;
          }
          long cpuAfter = cpuUsed[q] + cpuNeed[v];
          if (cpuAfter > cpuCap[q]) {
            continue;
          }
          // Within the balance first, then the least added to the cut.
          long added = toward[over] - toward[q];
          long score = (cpuAfter <= cpuBound[q] ? 0 : 1L << 40) + added;
          if (score < bestScore) {
            bestScore = score;
            bestV = v;
            bestQ = q;
          }
        }
      }
      if (bestV < 0) {
        // No instance of the full node fits elsewhere as it is: pack the unpinned instances
        // afresh, the largest first, each onto the node with most room left, the cut aside.
        int[] packed = pack(a, pinned);
        if (packed != null) {
          return packed;
        }
        throw new IllegalArgumentException(
            "flow "
                + flow
                + ": node "
                + nodeIds[over]
                + " would hold "
                + used[over][dim]
                + " of "
                + dims.get(dim)
                + " and offers "
                + cap[over][dim]
                + "; no other node has room for any of its movable instances that ask for it, and"
                + " packing them afresh found no fit either");
      }
      add(used[over], need[bestV], -1);
      cpuUsed[over] -= cpuNeed[bestV];
      add(used[bestQ], need[bestV], 1);
      cpuUsed[bestQ] += cpuNeed[bestV];
      a[bestV] = bestQ;
    }
    throw new IllegalStateException(
        "flow " + flow + ": capacities not met after moving every instance once");
  }

  /**
   * The pinned instances where they are and every other placed anew, the one asking most (relative
   * to what all nodes offer) first, on the node that has room for it with most room left in what it
   * asks; null if one fits nowhere.
   */
  private int[] pack(int[] current, boolean[] pinned) {
    int n = need.length;
    int k = cap.length;
    double[] offered = new double[dims.size()];
    for (long[] c : cap) {
      for (int d = 0; d < c.length; d++) {
        offered[d] += c[d];
      }
    }
    double[] size = new double[n];
    Integer[] order = new Integer[n];
    for (int v = 0; v < n; v++) {
      order[v] = v;
      for (int d = 0; d < dims.size(); d++) {
        size[v] = Math.max(size[v], need[v][d] / Math.max(1, offered[d]));
      }
      size[v] = Math.max(size[v], cpuNeed[v] / (double) Arrays.stream(cpuCap).sum());
    }
    Arrays.sort(order, (x, y) -> Double.compare(size[y], size[x]));
    long[][] used = new long[k][dims.size()];
    long[] cpuUsed = new long[k];
    int[] a = current.clone();
    for (int v = 0; v < n; v++) {
      if (a[v] >= 0 && pinned[v]) {
        add(used[a[v]], need[v], 1);
        cpuUsed[a[v]] += cpuNeed[v];
      }
    }
    for (int v : order) {
      if (a[v] < 0 || pinned[v]) {
        continue;
      }
      int best = -1;
      double bestRoom = -1;
      for (int q = 0; q < k; q++) {
        if (!fits(used[q], need[v], cap[q]) || cpuUsed[q] + cpuNeed[v] > cpuCap[q]) {
          continue;
        }
        double room = 1;
        for (int d = 0; d < dims.size(); d++) {
          if (need[v][d] > 0) {
            room = Math.min(room, (cap[q][d] - used[q][d] - need[v][d]) / (double) cap[q][d]);
          }
        }
        room = Math.min(room, (cpuCap[q] - cpuUsed[q] - cpuNeed[v]) / (double) cpuCap[q]);
        if (room > bestRoom) {
          bestRoom = room;
          best = q;
        }
      }
      if (best < 0) {
        return null;
      }
      add(used[best], need[v], 1);
      cpuUsed[best] += cpuNeed[v];
      a[v] = best;
    }
    return a;
  }

  private static boolean fits(long[] used, long[] need, long[] cap) {
    for (int d = 0; d < used.length; d++) {
      if (need[d] > 0 && used[d] + need[d] > cap[d]) {
        return false;
      }
    }
    return true;
  }

  private static void add(long[] into, long[] what, int sign) {
    for (int d = 0; d < into.length; d++) {
      into[d] += sign * what[d];
    }
  }

  private static long saturatedAdd(long a, long b) {
    long s = a + b;
    return s < 0 ? Long.MAX_VALUE : s;
  }
}
