package io.tideflow.core.flow;

import io.tideflow.core.model.Resources;
import io.tideflow.core.partition.MultilevelPartitioner;
import io.tideflow.core.partition.Partition;
import io.tideflow.core.partition.PartitionRequest;
import io.tideflow.core.partition.Partitioner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a flow's instances run: the instance graph (weighted by the connections' message rates and
 * the instances' cpu) cut into one part per node, each node's share of the cpu in proportion to its
 * capacity, within the imbalance bound; then instances move until no node holds more memory,
 * network or custom resource than it offers ({@link CapacityRepair}). With a current placement,
 * instances on nodes still there stay unless the bounds make them move, and instances of nodes that
 * are gone join the part they talk to most that has room (the partitioner's incremental mode).
 * Pure.
 */
public final class FlowPlacement {
  /**
   * A node that can take instances: its id and what it offers them. The cut shares out the cpu;
   * memory, network and custom resources are bounds no node is put over, for the resources the
   * instances ask for.
   */
  public record Node(String id, Resources capacity) {
    public Node {
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("node id must not be blank");
      }
      if (capacity == null || capacity.cpuMillis() < 1) {
        throw new IllegalArgumentException(
            "node "
                + id
                + ": cpuMillis must be >= 1, was "
                + (capacity == null ? null : capacity.cpuMillis()));
      }
    }

    /**
     * A node whose cpu is all that is known of it: no bound on the memory or network it takes, and
     * no custom resources (an instance asking for one does not go there).
     */
    public Node(String id, long cpuMillis) {
      this(id, new Resources(cpuMillis, Long.MAX_VALUE, Long.MAX_VALUE, Map.of()));
    }

    public long cpuMillis() {
      return capacity.cpuMillis();
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

  /**
   * Where a deployed flow's instances run now and which deployment that placement was made for.
   *
   * @param nodes the node of every instance, by {@code process#i}
   * @param deployedAtMillis the deployment's time, its generation
   */
  public record Placed(Map<String, String> nodes, long deployedAtMillis) {
    public Placed {
      nodes = Map.copyOf(nodes);
    }
  }

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
   * @throws IllegalArgumentException for no nodes, for instances needing more cpu or more of
   *     another resource than all the nodes offer together (naming both), or when no fit of the
   *     instances into the nodes' memory, network and custom resources was found (naming the node
   *     and the resource)
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
    CapacityRepair fit = capacities(flow, instances, sorted, imbalance);
    fit.checkTotals();
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
    partition =
        Partition.of(
            instances.graph(), request, fit.repair(partition.assignment(), new boolean[n]));
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

  /**
   * What a placed flow's instances ask of each node they are on.
   *
   * @param placement the node of each instance, by {@code process#i}; instances of processes the
   *     flow no longer has are left out
   */
  public static Map<String, Resources> held(Flow flow, Map<String, String> placement) {
    Map<String, Resources> held = new LinkedHashMap<>();
    placement.forEach(
        (instance, node) -> {
          int hash = instance.lastIndexOf('#');
          ProcessSpec p = hash < 0 ? null : flow.process(instance.substring(0, hash));
          if (p != null) {
            held.merge(node, p.demand(), Resources::add);
          }
        });
    return held;
  }

  /**
   * The nodes with what others hold of them ({@code held}, by node) taken off their memory, network
   * and custom resources, down to none: the room a flow has beside the others. Their cpu stays
   * whole, as the cut shares it out.
   */
  public static List<Node> besides(List<Node> nodes, Map<String, Resources> held) {
    List<Node> left = new ArrayList<>(nodes.size());
    for (Node n : nodes) {
      Resources h = held.get(n.id());
      if (h == null) {
        left.add(n);
        continue;
      }
      Resources c = n.capacity();
      Map<String, Long> custom = new LinkedHashMap<>(c.custom());
      h.custom()
          .forEach((name, amount) -> custom.computeIfPresent(name, (k, v) -> less(v, amount)));
      left.add(
          new Node(
              n.id(),
              new Resources(
                  c.cpuMillis(),
                  less(c.memoryBytes(), h.memoryBytes()),
                  less(c.networkBytesPerSec(), h.networkBytesPerSec()),
                  custom)));
    }
    return left;
  }

  private static long less(long offered, long held) {
    return offered == Long.MAX_VALUE ? offered : Math.max(0, offered - held);
  }

  /**
   * Moves the instances {@code replace} placed anew (not those that keep running where they are)
   * until no ready node holds more than it offers beside the ones that stay.
   */
  private static void keepWithinCapacities(
      Flow flow,
      InstanceGraph instances,
      List<Node> ready,
      Map<String, String> current,
      Set<String> alive,
      Map<String, String> nodes,
      double imbalance) {
    List<Node> sorted = new ArrayList<>(ready);
    sorted.sort(Comparator.comparing(Node::id));
    Map<String, Integer> partOf = new LinkedHashMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      partOf.put(sorted.get(i).id(), i);
    }
    int n = flow.instanceCount();
    int[] assignment = new int[n];
    boolean[] pinned = new boolean[n];
    for (int v = 0; v < n; v++) {
      String instance = instances.instance(v);
      assignment[v] = partOf.getOrDefault(nodes.get(instance), -1);
      String was = current.get(instance);
      pinned[v] = was != null && alive.contains(was);
    }
    int[] fitted = capacities(flow, instances, sorted, imbalance).repair(assignment, pinned);
    for (int v = 0; v < n; v++) {
      if (fitted[v] != assignment[v]) {
        nodes.put(instances.instance(v), sorted.get(fitted[v]).id());
      }
    }
  }

  private static CapacityRepair capacities(
      Flow flow, InstanceGraph instances, List<Node> nodes, double imbalance) {
    Resources[] demands = new Resources[flow.instanceCount()];
    int v = 0;
    for (ProcessSpec p : flow.processes()) {
      for (int i = 0; i < p.parallelism(); i++) {
        demands[v++] = p.demand();
      }
    }
    Resources[] capacities = new Resources[nodes.size()];
    String[] ids = new String[nodes.size()];
    double[] cpuBound = new double[nodes.size()];
    long offered = nodes.stream().mapToLong(Node::cpuMillis).sum();
    long total = instances.graph().totalVertexWeight();
    for (int p = 0; p < capacities.length; p++) {
      capacities[p] = nodes.get(p).capacity();
      ids[p] = nodes.get(p).id();
      cpuBound[p] = (double) total * nodes.get(p).cpuMillis() / offered * (1 + imbalance);
    }
    return new CapacityRepair(flow.name(), instances.graph(), demands, capacities, cpuBound, ids);
  }

  /**
   * Why the flow deployed at {@code deployedAtMillis} needs a new placement, or empty while {@code
   * current} stands: there is none yet, the flow was deployed again, its instances are not the
   * placed ones, or some run on nodes not in {@code alive} (the nodes that are READY or DRAINING).
   */
  public static Optional<String> reason(
      Flow flow, long deployedAtMillis, Placed current, Set<String> alive) {
    if (current == null) {
      return Optional.of("first placement");
    }
    if (current.deployedAtMillis() != deployedAtMillis) {
      return Optional.of("deployed again");
    }
    Set<String> instances = new HashSet<>();
    for (ProcessSpec p : flow.processes()) {
      for (int i = 0; i < p.parallelism(); i++) {
        instances.add(p.name() + "#" + i);
      }
    }
    if (!instances.equals(current.nodes().keySet())) {
      return Optional.of("the flow changed");
    }
    Set<String> lost = new TreeSet<>();
    for (String node : current.nodes().values()) {
      if (!alive.contains(node)) {
        lost.add(node);
      }
    }
    return lost.isEmpty()
        ? Optional.empty()
        : Optional.of("node(s) " + String.join(", ", lost) + " gone");
  }

  /**
   * Why instances of a placement that stands (every node of it alive) should move between live
   * nodes, or empty: some run on nodes that drain, or nodes are ready that the placement was not
   * made over (they joined since), so the incremental cut may give them a share.
   *
   * @param current the node of every instance
   * @param draining the nodes that are DRAINING
   * @param ready the nodes that are READY
   * @param over the READY nodes the placement was made over; empty when not known, which asks for
   *     no look at joined nodes
   */
  public static Optional<String> moveReason(
      Map<String, String> current,
      Set<String> draining,
      Set<String> ready,
      java.util.Collection<String> over) {
    Set<String> leaving = new TreeSet<>();
    for (String node : current.values()) {
      if (draining.contains(node)) {
        leaving.add(node);
      }
    }
    if (!leaving.isEmpty()) {
      return Optional.of("node(s) " + String.join(", ", leaving) + " draining");
    }
    if (over.isEmpty()) {
      return Optional.empty();
    }
    Set<String> joined = new TreeSet<>(ready);
    joined.removeAll(over);
    return joined.isEmpty()
        ? Optional.empty()
        : Optional.of("node(s) " + String.join(", ", joined) + " joined");
  }

  /**
   * A new placement on the {@code ready} nodes in which every instance of {@code current} on a node
   * in {@code alive} stays there (moving a running instance needs a handover of its channels), and
   * the others go where {@link #place} puts them. Cut and imbalance (over the ready nodes) are
   * those of the result.
   *
   * @param alive the nodes whose instances keep running: the ready ones and those draining
   */
  public Result replace(
      Flow flow,
      Map<Connection, Double> rates,
      List<Node> ready,
      Map<String, String> current,
      Set<String> alive,
      double imbalance) {
    Result placed = place(flow, rates, ready, current, imbalance);
    Map<String, String> nodes = new LinkedHashMap<>(placed.nodes());
    current.forEach(
        (instance, node) -> {
          if (alive.contains(node) && nodes.containsKey(instance)) {
            nodes.put(instance, node);
          }
        });
    if (nodes.equals(placed.nodes())) {
      return placed;
    }
    InstanceGraph instances = InstanceGraph.of(flow, rates);
    keepWithinCapacities(flow, instances, ready, current, alive, nodes, imbalance);
    Map<String, Integer> partOf = new LinkedHashMap<>();
    Map<String, Long> capacity = new LinkedHashMap<>();
    for (Node n : ready) {
      capacity.put(n.id(), n.cpuMillis());
    }
    int[] assignment = new int[flow.instanceCount()];
    Map<String, Long> load = new LinkedHashMap<>();
    for (int v = 0; v < assignment.length; v++) {
      String node = nodes.get(instances.instance(v));
      assignment[v] = partOf.computeIfAbsent(node, k -> partOf.size());
      load.merge(node, (long) instances.graph().vertexWeight(v), Long::sum);
    }
    long offered = 0;
    long held = 0;
    for (Map.Entry<String, Long> e : capacity.entrySet()) {
      offered += e.getValue();
      held += load.getOrDefault(e.getKey(), 0L);
    }
    double worst = 0;
    for (Map.Entry<String, Long> e :
        held == 0 ? Map.<String, Long>of().entrySet() : capacity.entrySet()) {
      double share = held * (double) e.getValue() / offered;
      worst = Math.max(worst, load.getOrDefault(e.getKey(), 0L) / share - 1);
    }
    return new Result(
        nodes,
        Partition.cut(instances.graph(), assignment),
        Math.max(0, worst),
        0); // every instance that had a live node keeps it
  }
}
