package io.tideflow.core.model;

/**
 * What is placed on each node of one view layout, in the view's own chunked order: entry {@code
 * [c][i]} belongs to the node at chunk {@code c}, offset {@code i} of the {@link NodeChunks} it was
 * built for (never null; {@link NodeAllocation#EMPTY} when nothing is placed). A scan reads a
 * node's allocation by position instead of looking its id up in the hash trie, which the placement
 * profile showed as the largest single cost per candidate node.
 *
 * <p>Persistent like the chunks it mirrors: {@link #with} copies one chunk, one block of 32 chunk
 * references and the block index (about n/1,000 references), and shares the rest. It stays valid
 * for every view of the same layout (heartbeats and state changes replace nodes in place); a view
 * that adds or removes nodes has a new layout and needs a rebuild.
 */
final class AlignedAllocations {
  /**
   * Chunks per block of the two-level index: a change copies one block, not every chunk reference.
   */
  private static final int BLOCK_BITS = 5;

  private static final int BLOCK = 1 << BLOCK_BITS;

  private final NodeChunks layout;

  /** blocks[b][j] is the allocations of chunk {@code b * BLOCK + j}. */
  private final NodeAllocation[][][] blocks;

  private AlignedAllocations(NodeChunks layout, NodeAllocation[][][] blocks) {
    this.layout = layout;
    this.blocks = blocks;
  }

  static AlignedAllocations build(NodeChunks nodes, HashTrie<String, NodeAllocation> byNode) {
    NodeInfo[][] nodeChunks = nodes.chunks();
    int count = nodeChunks.length;
    NodeAllocation[][][] blocks = new NodeAllocation[(count + BLOCK - 1) >>> BLOCK_BITS][][];
    for (int b = 0; b < blocks.length; b++) {
      blocks[b] = new NodeAllocation[Math.min(BLOCK, count - (b << BLOCK_BITS))][];
    }
    for (int c = 0; c < count; c++) {
      NodeInfo[] chunk = nodeChunks[c];
      NodeAllocation[] aligned = new NodeAllocation[chunk.length];
      for (int i = 0; i < chunk.length; i++) {
        NodeAllocation a = byNode.size() == 0 ? null : byNode.get(chunk[i].id());
        aligned[i] = a == null ? NodeAllocation.EMPTY : a;
      }
      blocks[c >>> BLOCK_BITS][c & (BLOCK - 1)] = aligned;
    }
    return new AlignedAllocations(nodes, blocks);
  }

  boolean alignedWith(NodeChunks nodes) {
    return layout.layout() == nodes.layout();
  }

  /** The allocations of chunk {@code c}, by offset in it; never modify. */
  NodeAllocation[] chunk(int c) {
    return blocks[c >>> BLOCK_BITS][c & (BLOCK - 1)];
  }

  /** Returns this with {@code nodeId}'s entry replaced; this itself when the layout lacks it. */
  AlignedAllocations with(String nodeId, NodeAllocation allocation) {
    long at = layout.position(nodeId);
    if (at < 0) {
      return this; // not a node of this layout: no scan over it can ask for it
    }
    int c = (int) (at >>> 32);
    NodeAllocation[][][] top = blocks.clone();
    NodeAllocation[][] block = blocks[c >>> BLOCK_BITS].clone();
    NodeAllocation[] chunk = block[c & (BLOCK - 1)].clone();
    chunk[(int) at] = allocation;
    block[c & (BLOCK - 1)] = chunk;
    top[c >>> BLOCK_BITS] = block;
    return new AlignedAllocations(layout, top);
  }
}
