package io.tideflow.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of the cluster's nodes, the input of every decision in the core.
 *
 * <p>Changes make a new view ({@link #with}, {@link #without}); the old one stays valid for whoever
 * still reads it. {@code revision} is the store revision the view reflects.
 *
 * <p>Nodes are kept sorted by id in small chunks that successive views share: a change copies one
 * chunk and the chunk index (O(√n)-ish references, about 400 at 10,000 nodes) rather than the whole
 * node set, so a caller may apply every heartbeat to the view it places with. {@link #node} is a
 * binary search, {@code nodes().get(i)} a binary search over the chunk index.
 */
public final class ClusterView {
  private static final ClusterView EMPTY = new ClusterView(NodeChunks.EMPTY, 0);

  private final NodeChunks nodes;
  private final List<NodeInfo> readOnly;
  private final long revision;

  private ClusterView(NodeChunks nodes, long revision) {
    if (revision < 0) {
      throw new IllegalArgumentException("revision must be >= 0, was " + revision);
    }
    this.nodes = nodes;
    this.readOnly = Collections.unmodifiableList(nodes);
    this.revision = revision;
  }

  public static ClusterView empty() {
    return EMPTY;
  }

  public static ClusterView of(long revision, Iterable<NodeInfo> nodes) {
    List<NodeInfo> list = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (NodeInfo n : nodes) {
      if (!ids.add(n.id())) {
        throw new IllegalArgumentException("nodes must have unique ids, '" + n.id() + "' repeats");
      }
      list.add(n);
    }
    list.sort(Comparator.comparing(NodeInfo::id));
    return new ClusterView(NodeChunks.ofSorted(list), revision);
  }

  /** Returns a view with {@code node} added or replaced. */
  public ClusterView with(NodeInfo node, long newRevision) {
    return new ClusterView(nodes.with(node), newRevision);
  }

  /** Returns a view without the node of that id (the same nodes if it is absent). */
  public ClusterView without(String nodeId, long newRevision) {
    return new ClusterView(nodes.without(nodeId), newRevision);
  }

  /** All nodes, ordered by id; an unmodifiable random-access list. */
  public List<NodeInfo> nodes() {
    return readOnly;
  }

  /**
   * A walk over every node once, from index {@code start} (taken modulo the size) round to the one
   * before it, each node with what {@code allocations} holds on it. Cheaper per node than {@code
   * nodes()} with {@link Allocations#of}: no lookup by id (see {@link Allocations} for the cost).
   */
  public NodeScan scan(Allocations allocations, int start) {
    return new NodeScan(nodes, allocations, start);
  }

  public NodeInfo node(String id) {
    return nodes.find(id);
  }

  /**
   * How many nodes carry {@link PlacementRequest#TAINTS_LABEL}; kept up to date by every change in
   * O(1), so a decision on a cluster without taints can leave the taint filter out.
   */
  public int taintedNodes() {
    return nodes.tainted();
  }

  public long revision() {
    return revision;
  }

  public int size() {
    return nodes.size();
  }

  /** Nodes counted by state, every state present (zero when none). */
  public Map<NodeState, Integer> countByState() {
    Map<NodeState, Integer> counts = new EnumMap<>(NodeState.class);
    for (NodeState s : NodeState.values()) {
      counts.put(s, 0);
    }
    for (NodeInfo n : nodes) {
      counts.merge(n.state(), 1, Integer::sum);
    }
    return counts;
  }

  @Override
  public String toString() {
    return "ClusterView[revision="
        + revision
        + ", nodes="
        + nodes.stream().map(NodeInfo::id).toList()
        + "]";
  }
}
