package io.tideflow.core.model;

import java.util.NoSuchElementException;

/**
 * A walk over a view's nodes, each with what is placed on it, from a start index round to where it
 * began: the loop of a placement decision. Reads nodes and their allocations by position, chunk
 * after chunk, with no lookup by id (see {@link Allocations}); made by {@link ClusterView#scan}.
 *
 * <p>Not thread-safe: one decision, one thread. The view and allocations it reads are immutable.
 */
public final class NodeScan {
  private final NodeInfo[][] nodes;

  /** Lined up with {@link #nodes}; null when nothing is placed anywhere. */
  private final AlignedAllocations allocations;

  /** The allocations of the chunk the scan is in; null when nothing is placed anywhere. */
  private NodeAllocation[] chunkAllocations;

  private int remaining;
  private int chunk;
  private int offset;
  private NodeInfo node;
  private NodeAllocation allocation;

  NodeScan(NodeChunks view, Allocations allocations, int start) {
    this.nodes = view.chunks();
    this.allocations = allocations.nodesInUse() == 0 ? null : allocations.alignedWith(view);
    this.remaining = view.size();
    if (remaining > 0) {
      long at = view.positionOf(Math.floorMod(start, remaining));
      this.chunk = (int) (at >>> 32);
      this.offset = (int) at;
      this.chunkAllocations = this.allocations == null ? null : this.allocations.chunk(chunk);
    }
  }

  /** True while some node of the view has not been visited. */
  public boolean hasNext() {
    return remaining > 0;
  }

  /** Moves to the next node (after the last, the first) and returns it. */
  public NodeInfo next() {
    if (remaining == 0) {
      throw new NoSuchElementException("every node of the view has been visited");
    }
    if (offset == nodes[chunk].length) {
      chunk = chunk + 1 == nodes.length ? 0 : chunk + 1;
      offset = 0;
      chunkAllocations = allocations == null ? null : allocations.chunk(chunk);
    }
    remaining--;
    node = nodes[chunk][offset];
    allocation = chunkAllocations == null ? NodeAllocation.EMPTY : chunkAllocations[offset];
    offset++;
    return node;
  }

  /** What is placed on the node {@link #next} returned last; never null. */
  public NodeAllocation allocation() {
    return allocation;
  }
}
