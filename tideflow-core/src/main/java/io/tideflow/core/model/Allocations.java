package io.tideflow.core.model;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What is already placed on each node, as a persistent value: {@link #place} and {@link #release}
 * return a new state that shares all but O(log n) of its structure with this one, so a caller keeps
 * one current state, swaps it after each decision, and readers of older states are not disturbed.
 * Nodes with nothing placed need not appear. An index from work label to the nodes running such
 * work keeps affinity checks proportional to the replicas, not to the cluster.
 *
 * <p>A scan over a view ({@link ClusterView#scan}) reads allocations by position rather than by id:
 * the first scan of a view layout lines them up with the view's nodes (O(n), once), and every state
 * derived from this one by {@link #place}, {@link #release} or {@link #forget} carries the
 * alignment forward by copying one chunk of it and one block of its index, so a caller that
 * decides, records and decides again never pays the O(n) step twice while the cluster's membership
 * stands.
 */
public final class Allocations {
  private static final Allocations EMPTY =
      new Allocations(HashTrie.empty(), HashTrie.empty(), null);

  private final HashTrie<String, NodeAllocation> byNode;
  private final HashTrie<String, HashTrie<String, Integer>> nodesByWorkLabel;

  /**
   * The allocations lined up with the layout last scanned, or null. A cache of a pure function of
   * {@link #byNode} and a layout, so a race between two scanning threads only computes it twice.
   */
  private volatile AlignedAllocations aligned;

  private Allocations(
      HashTrie<String, NodeAllocation> byNode,
      HashTrie<String, HashTrie<String, Integer>> nodesByWorkLabel,
      AlignedAllocations aligned) {
    this.byNode = byNode;
    this.nodesByWorkLabel = nodesByWorkLabel;
    this.aligned = aligned;
  }

  /** Lined up with {@code nodes}: reused when the layout matches, else built once and kept. */
  AlignedAllocations alignedWith(NodeChunks nodes) {
    AlignedAllocations a = aligned;
    if (a == null || !a.alignedWith(nodes)) {
      a = AlignedAllocations.build(nodes, byNode);
      aligned = a;
    }
    return a;
  }

  /** The alignment carried to a state where only {@code nodeId} changed to {@code next}. */
  private AlignedAllocations alignedAfter(String nodeId, NodeAllocation next) {
    AlignedAllocations a = aligned;
    return a == null ? null : a.with(nodeId, next);
  }

  public static Allocations empty() {
    return EMPTY;
  }

  /** What is placed on that node; {@link NodeAllocation#EMPTY} when nothing is. Never null. */
  public NodeAllocation of(String nodeId) {
    NodeAllocation a = byNode.get(nodeId);
    return a == null ? NodeAllocation.EMPTY : a;
  }

  /** Nodes with something placed. */
  public int nodesInUse() {
    return byNode.size();
  }

  /** Returns the state with work of that demand and labels added on {@code nodeId}. */
  public Allocations place(String nodeId, Resources demand, Map<String, String> workLabels) {
    Checks.notBlank("nodeId", nodeId);
    NodeAllocation next = of(nodeId).plus(demand, workLabels);
    return new Allocations(
        byNode.put(nodeId, next), index(nodeId, workLabels, 1), alignedAfter(nodeId, next));
  }

  /** Returns the state with such work (placed before) taken off {@code nodeId}. */
  public Allocations release(String nodeId, Resources demand, Map<String, String> workLabels) {
    NodeAllocation next = of(nodeId).minus(demand, workLabels);
    HashTrie<String, NodeAllocation> nodes =
        next.tasks() == 0 ? byNode.remove(nodeId) : byNode.put(nodeId, next);
    return new Allocations(
        nodes,
        index(nodeId, workLabels, -1),
        alignedAfter(nodeId, next.tasks() == 0 ? NodeAllocation.EMPTY : next));
  }

  /** Returns the state with everything on {@code nodeId} forgotten (the node went away). */
  public Allocations forget(String nodeId) {
    NodeAllocation gone = byNode.get(nodeId);
    if (gone == null) {
      return this;
    }
    HashTrie<String, HashTrie<String, Integer>> index = nodesByWorkLabel;
    for (String label : gone.workLabels().keySet()) {
      HashTrie<String, Integer> nodes = index.get(label).remove(nodeId);
      index = nodes.size() == 0 ? index.remove(label) : index.put(label, nodes);
    }
    return new Allocations(
        byNode.remove(nodeId), index, alignedAfter(nodeId, NodeAllocation.EMPTY));
  }

  private HashTrie<String, HashTrie<String, Integer>> index(
      String nodeId, Map<String, String> labels, int delta) {
    HashTrie<String, HashTrie<String, Integer>> index = nodesByWorkLabel;
    for (Map.Entry<String, String> e : labels.entrySet()) {
      String label = NodeAllocation.labelKey(e.getKey(), e.getValue());
      HashTrie<String, Integer> nodes = index.get(label);
      if (nodes == null) {
        nodes = HashTrie.empty();
      }
      Integer count = nodes.get(nodeId);
      int next = (count == null ? 0 : count) + delta;
      nodes = next == 0 ? nodes.remove(nodeId) : nodes.put(nodeId, next);
      index = nodes.size() == 0 ? index.remove(label) : index.put(label, nodes);
    }
    return index;
  }

  /** Calls {@code action} with the id of each node running work labelled {@code key=value}. */
  public void forEachNodeRunning(String key, String value, Consumer<String> action) {
    HashTrie<String, Integer> nodes = nodesByWorkLabel.get(NodeAllocation.labelKey(key, value));
    if (nodes != null) {
      nodes.forEach((nodeId, count) -> action.accept(nodeId));
    }
  }

  /** Calls {@code action} with each node that has something placed and what it has. */
  public void forEach(BiConsumer<String, NodeAllocation> action) {
    byNode.forEach(action);
  }
}
