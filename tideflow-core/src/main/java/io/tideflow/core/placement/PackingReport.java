package io.tideflow.core.placement;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.Resources;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * How well work is packed: for each resource kind, placed demand ÷ capacity of the nodes in use,
 * and the nodes in use against a lower bound on the nodes any placement needs.
 *
 * <p>The lower bound of a kind is the fewest nodes whose capacities (largest first) add up to the
 * total demand of that kind, {@code ⌈Σdemand ÷ capacity⌉} on a cluster of equal nodes; the overall
 * bound is the largest over kinds. No placement can use fewer nodes.
 *
 * @param nodesUsed nodes with something placed
 * @param lowerBound the largest per-kind lower bound
 * @param byResource per kind: demand, capacity in use, its lower bound
 */
public record PackingReport(int nodesUsed, int lowerBound, Map<String, Kind> byResource) {

  /**
   * One resource kind.
   *
   * @param demand total placed demand
   * @param capacityInUse total capacity of the nodes in use
   * @param lowerBound fewest nodes that could hold the demand
   */
  public record Kind(long demand, long capacityInUse, int lowerBound) {
    /** Placed demand ÷ capacity of the nodes in use; 1 when nothing is in use. */
    public double efficiency() {
      return capacityInUse == 0 ? 1 : (double) demand / capacityInUse;
    }
  }

  public PackingReport {
    byResource = Collections.unmodifiableMap(new LinkedHashMap<>(byResource));
  }

  /** Nodes used ÷ lower bound: 1 is optimal; 1 when nothing is placed. */
  public double ratioToLowerBound() {
    return lowerBound == 0 ? 1 : (double) nodesUsed / lowerBound;
  }

  /** Reports on what {@code allocations} has placed on the nodes of {@code view}. */
  public static PackingReport of(ClusterView view, Allocations allocations) {
    List<NodeInfo> used = new ArrayList<>();
    List<Resources> demands = new ArrayList<>();
    for (NodeInfo node : view.nodes()) {
      Resources allocated = allocations.of(node.id()).allocated();
      if (allocations.of(node.id()).tasks() > 0) {
        used.add(node);
        demands.add(allocated);
      }
    }
    TreeSet<String> custom = new TreeSet<>();
    demands.forEach(d -> custom.addAll(d.custom().keySet()));
    Map<String, Kind> kinds = new LinkedHashMap<>();
    kinds.put("cpu", kind(view, used, demands, Resources::cpuMillis));
    kinds.put("memory", kind(view, used, demands, Resources::memoryBytes));
    kinds.put("network", kind(view, used, demands, Resources::networkBytesPerSec));
    for (String name : custom) {
      kinds.put(name, kind(view, used, demands, r -> r.custom(name)));
    }
    int bound = kinds.values().stream().mapToInt(Kind::lowerBound).max().orElse(0);
    return new PackingReport(used.size(), bound, kinds);
  }

  private static Kind kind(
      ClusterView view,
      List<NodeInfo> used,
      List<Resources> demands,
      ToLongFunction<Resources> amount) {
    long demand = demands.stream().mapToLong(amount).sum();
    long inUse = used.stream().mapToLong(n -> amount.applyAsLong(n.capacity())).sum();
    long[] capacities =
        view.nodes().stream().mapToLong(n -> amount.applyAsLong(n.capacity())).sorted().toArray();
    int bound = 0;
    long covered = 0;
    for (int i = capacities.length - 1; i >= 0 && covered < demand; i--) {
      covered += capacities[i];
      bound++;
    }
    return new Kind(demand, inUse, bound);
  }
}
