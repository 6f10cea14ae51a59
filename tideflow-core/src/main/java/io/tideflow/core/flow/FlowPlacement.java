package io.tideflow.core.flow;

import io.tideflow.core.partition.MultilevelPartitioner;
import io.tideflow.core.partition.Partition;
import io.tideflow.core.partition.PartitionRequest;
import io.tideflow.core.partition.Partitioner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a flow's instances run: the instance graph (weighted by the connections' message rates and
 * the instances' cpu) cut into one part per node, each node's share of the cpu in proportion to its
 * capacity, within the imbalance bound. With a current placement, instances on nodes still there
 * stay unless the bounds make them move, and instances of nodes that are gone join the part they
 * talk to most that has room (the partitioner's incremental mode). Pure.
 */
public final class FlowPlacement {
  /** A node that can take instances: its id and the cpu it offers them, in millicores. */
  public record Node(String id, long cpuMillis) {
    public Node {
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("node id must not be blank");
      }
      if (cpuMillis < 1) {
        throw new IllegalArgumentException(
            "node " + id + ": cpuMillis must be >= 1, was " + cpuMillis);
      }
    }
  }

  /**
   * A placement and what it costs.
   *
   * @param nodes the node of every instance, by {@code process#i}, in flow order
   * @param cut messages per second that cross nodes
   * @param imbalance how far the fullest node is over its share
   * @param moved instances that had a live node and are on another now
   */
  public record Result(Map<String, String> nodes, long cut, double imbalance, int moved) {}

  private final Partitioner partitioner;

  public FlowPlacement() {
    this(new MultilevelPartitioner());
  }

  public FlowPlacement(Partitioner partitioner) {
    this.partitioner = partitioner;
  }

  /**
   * @param rates expected messages per second per connection (1 where absent)
   * @param nodes the nodes to use, at least one
   * @param current where instances run now, possibly on nodes no longer in {@code nodes}; empty for
   *     a first placement
   * @throws IllegalArgumentException for no nodes, or for instances needing more cpu than all the
   *     nodes offer together (naming both)
   */
  public Result place(
      Flow flow,
      Map<Connection, Double> rates,
      List<Node> nodes,
      Map<String, String> current,
      double imbalance) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("flow " + flow.name() + ": no node to place it on");
    }
    List<Node> sorted = new ArrayList<>(nodes);
    sorted.sort(Comparator.comparing(Node::id));
    long demand = 0;
    for (ProcessSpec p : flow.processes()) {
      demand += p.parallelism() * Math.max(1, p.demand().cpuMillis());
    }
    long offered = sorted.stream().mapToLong(Node::cpuMillis).sum();
    if (demand > offered) {
      throw new IllegalArgumentException(
          "flow "
              + flow.name()
              + " needs "
              + demand
              + " millicores, its "
              + sorted.size()
              + " node(s) offer "
              + offered);
    }
    InstanceGraph instances = InstanceGraph.of(flow, rates);
    double[] targets = new double[sorted.size()];
    Map<String, Integer> partOf = new LinkedHashMap<>();
    for (int i = 0; i < targets.length; i++) {
      targets[i] = sorted.get(i).cpuMillis();
      partOf.put(sorted.get(i).id(), i);
    }
    int n = flow.instanceCount();
    int[] assignment = new int[n];
    boolean any = false;
    for (int v = 0; v < n; v++) {
      Integer part = partOf.get(current.get(instances.instance(v)));
      assignment[v] = part == null ? -1 : part;
      any |= part != null;
    }
    PartitionRequest request =
        PartitionRequest.of(sorted.size()).withImbalance(imbalance).withTargets(targets);
    if (any) {
      request = request.withCurrent(assignment);
    }
    Partition partition = partitioner.partition(instances.graph(), request);
    Map<String, String> placed = new LinkedHashMap<>();
    int moved = 0;
    for (int v = 0; v < n; v++) {
      int part = partition.part(v);
      placed.put(instances.instance(v), sorted.get(part).id());
      if (assignment[v] >= 0 && assignment[v] != part) {
        moved++;
      }
    }
    return new Result(placed, partition.cut(), partition.imbalance(), moved);
  }
}
