package io.tideflow.core.model;

/**
 * What is placed on each node of one view layout, in the view's own chunked order: entry {@code
 * [c][i]} belongs to the node at chunk {@code c}, offset {@code i} of the {@link NodeChunks} it was
 * built for (never null; {@link NodeAllocation#EMPTY} when nothing is placed). A scan reads a
 * node's allocation by position instead of looking its id up in the hash trie, which the placement
 * profile showed as the largest single cost per candidate node.
 *
 * <p>Persistent like the chunks it mirrors: {@link #with} copies one chunk and the chunk index and
 * shares the rest. It stays valid for every view of the same layout (heartbeats and state changes
 * replace nodes in place); a view that adds or removes nodes has a new layout and needs a rebuild.
 */
final class AlignedAllocations {
  private final NodeChunks layout;
  private final NodeAllocation[][] chunks;

  private AlignedAllocations(NodeChunks layout, NodeAllocation[][] chunks) {
    this.layout = layout;
    this.chunks = chunks;
  }

  static AlignedAllocations build(NodeChunks nodes, HashTrie<String, NodeAllocation> byNode) {
    NodeInfo[][] nodeChunks = nodes.chunks();
    NodeAllocation[][] chunks = new NodeAllocation[nodeChunks.length][];
    for (int c = 0; c < nodeChunks.length; c++) {
      NodeInfo[] chunk = nodeChunks[c];
      NodeAllocation[] aligned = new NodeAllocation[chunk.length];
      for (int i = 0; i < chunk.length; i++) {
        NodeAllocation a = byNode.size() == 0 ? null : byNode.get(chunk[i].id());
        aligned[i] = a == null ? NodeAllocation.EMPTY : a;
      }
      chunks[c] = aligned;
    }
    return new AlignedAllocations(nodes, chunks);
  }

  boolean alignedWith(NodeChunks nodes) {
    return layout.layout() == nodes.layout();
  }

  NodeAllocation[][] chunks() {
    return chunks;
  }

  /** Returns this with {@code nodeId}'s entry replaced; this itself when the layout lacks it. */
  AlignedAllocations with(String nodeId, NodeAllocation allocation) {
    long at = layout.position(nodeId);
    if (at < 0) {
      return this; // not a node of this layout: no scan over it can ask for it
    }
    int c = (int) (at >>> 32);
    NodeAllocation[][] copy = chunks.clone();
    NodeAllocation[] chunk = chunks[c].clone();
    chunk[(int) at] = allocation;
    copy[c] = chunk;
    return new AlignedAllocations(layout, copy);
  }
}
