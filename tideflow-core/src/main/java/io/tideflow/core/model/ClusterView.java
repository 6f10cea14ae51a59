package io.tideflow.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable snapshot of the cluster's nodes, the input of every decision in the core.
 *
 * <p>Changes make a new view ({@link #with}, {@link #without}); the old one stays valid for
 * whoever still reads it. {@code revision} is the store revision the view reflects.
 */
public final class ClusterView {
  private static final ClusterView EMPTY = new ClusterView(Map.of(), List.of(), 0);

  private final Map<String, NodeInfo> byId;
  private final List<NodeInfo> nodes;
  private final long revision;

  private ClusterView(Map<String, NodeInfo> byId, List<NodeInfo> nodes, long revision) {
    this.byId = byId;
    this.nodes = nodes;
    this.revision = revision;
  }

  public static ClusterView empty() {
    return EMPTY;
  }

  public static ClusterView of(long revision, Iterable<NodeInfo> nodes) {
    TreeMap<String, NodeInfo> map = new TreeMap<>();
    for (NodeInfo n : nodes) {
      if (map.put(n.id(), n) != null) {
        throw new IllegalArgumentException("nodes must have unique ids, '" + n.id() + "' repeats");
      }
    }
    return build(map, revision);
  }

  private static ClusterView build(TreeMap<String, NodeInfo> map, long revision) {
    if (revision < 0) {
      throw new IllegalArgumentException("revision must be >= 0, was " + revision);
    }
    return new ClusterView(
        Collections.unmodifiableMap(map),
        Collections.unmodifiableList(new ArrayList<>(map.values())),
        revision);
  }

  /** Returns a view with {@code node} added or replaced. */
  public ClusterView with(NodeInfo node, long newRevision) {
    TreeMap<String, NodeInfo> map = new TreeMap<>(byId);
    map.put(node.id(), node);
    return build(map, newRevision);
  }

  /** Returns a view without the node of that id (the same nodes if it is absent). */
  public ClusterView without(String nodeId, long newRevision) {
    TreeMap<String, NodeInfo> map = new TreeMap<>(byId);
    map.remove(nodeId);
    return build(map, newRevision);
  }

  /** All nodes, ordered by id. */
  public List<NodeInfo> nodes() {
    return nodes;
  }

  public NodeInfo node(String id) {
    return byId.get(id);
  }

  public long revision() {
    return revision;
  }

  public int size() {
    return nodes.size();
  }

  /** Nodes counted by state, every state present (zero when none). */
  public Map<NodeState, Integer> countByState() {
    Map<NodeState, Integer> counts = new java.util.EnumMap<>(NodeState.class);
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
    return "ClusterView[revision=" + revision + ", nodes=" + byId.keySet() + "]";
  }
}
