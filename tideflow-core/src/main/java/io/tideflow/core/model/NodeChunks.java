package io.tideflow.core.model;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.ListIterator;
import java.util.NoSuchElementException;
import java.util.RandomAccess;

/**
 * Nodes sorted by id in chunks of at most {@value #MAX_CHUNK}: replacing, adding or removing one
 * node copies one chunk and the chunk index (about n/32 + 64 references) instead of the whole set,
 * and the unchanged chunks are shared with the previous version.
 */
final class NodeChunks extends AbstractList<NodeInfo> implements RandomAccess {
  static final int MAX_CHUNK = 64;
  static final NodeChunks EMPTY = new NodeChunks(new NodeInfo[0][], new int[] {0}, 0);

  private final NodeInfo[][] chunks;

  /** starts[c] is the index of chunk c's first node; starts[chunks.length] is the size. */
  private final int[] starts;

  /** Nodes carrying {@link PlacementRequest#TAINTS_LABEL}, kept by delta on every change. */
  private final int tainted;

  private NodeChunks(NodeInfo[][] chunks, int[] starts, int tainted) {
    this.chunks = chunks;
    this.starts = starts;
    this.tainted = tainted;
  }

  private static int tainted(NodeInfo node) {
    return node.labels().containsKey(PlacementRequest.TAINTS_LABEL) ? 1 : 0;
  }

  int tainted() {
    return tainted;
  }

  /** From nodes already sorted by id with unique ids. */
  static NodeChunks ofSorted(List<NodeInfo> sorted) {
    int half = MAX_CHUNK / 2;
    int count = (sorted.size() + half - 1) / half;
    NodeInfo[][] chunks = new NodeInfo[count][];
    for (int c = 0; c < count; c++) {
      chunks[c] =
          sorted
              .subList(c * half, Math.min(sorted.size(), (c + 1) * half))
              .toArray(NodeInfo[]::new);
    }
    int tainted = 0;
    for (NodeInfo n : sorted) {
      tainted += tainted(n);
    }
    return new NodeChunks(chunks, startsOf(chunks), tainted);
  }

  private static int[] startsOf(NodeInfo[][] chunks) {
    int[] starts = new int[chunks.length + 1];
    for (int c = 0; c < chunks.length; c++) {
      starts[c + 1] = starts[c] + chunks[c].length;
    }
    return starts;
  }

  @Override
  public int size() {
    return starts[chunks.length];
  }

  @Override
  public NodeInfo get(int index) {
    if (index < 0 || index >= size()) {
      throw new IndexOutOfBoundsException("index must be in [0, " + size() + "), was " + index);
    }
    int c = Arrays.binarySearch(starts, 0, chunks.length, index);
    if (c < 0) {
      c = -c - 2;
    }
    return chunks[c][index - starts[c]];
  }

  /** Walks chunk by chunk, so a scan costs O(1) per node instead of a search of the chunk index. */
  @Override
  public ListIterator<NodeInfo> listIterator(int index) {
    if (index < 0 || index > size()) {
      throw new IndexOutOfBoundsException("index must be in [0, " + size() + "], was " + index);
    }
    return new Cursor(index);
  }

  private final class Cursor implements ListIterator<NodeInfo> {
    private int index;
    private int chunk;
    private int offset;

    Cursor(int index) {
      this.index = index;
      int c = Arrays.binarySearch(starts, 0, chunks.length, index);
      this.chunk = c < 0 ? -c - 2 : c;
      this.offset = index - starts[Math.max(0, chunk)];
    }

    @Override
    public boolean hasNext() {
      return index < size();
    }

    @Override
    public NodeInfo next() {
      if (index >= size()) {
        throw new NoSuchElementException("no node after index " + (index - 1));
      }
      while (offset >= chunks[chunk].length) {
        chunk++;
        offset = 0;
      }
      index++;
      return chunks[chunk][offset++];
    }

    @Override
    public boolean hasPrevious() {
      return index > 0;
    }

    @Override
    public NodeInfo previous() {
      NodeInfo n = get(index - 1);
      index--;
      int c = Arrays.binarySearch(starts, 0, chunks.length, index);
      chunk = c < 0 ? -c - 2 : c;
      offset = index - starts[chunk];
      return n;
    }

    @Override
    public int nextIndex() {
      return index;
    }

    @Override
    public int previousIndex() {
      return index - 1;
    }

    @Override
    public void remove() {
      throw new UnsupportedOperationException("a cluster view is immutable");
    }

    @Override
    public void set(NodeInfo node) {
      throw new UnsupportedOperationException("a cluster view is immutable");
    }

    @Override
    public void add(NodeInfo node) {
      throw new UnsupportedOperationException("a cluster view is immutable");
    }
  }

  /** The chunks themselves, for scans that walk them in step with aligned data; never modify. */
  NodeInfo[][] chunks() {
    return chunks;
  }

  /**
   * Identifies the layout: which ids sit in which chunk at which offset. Replacing a node keeps it
   * (the array is shared); adding or removing one makes a new one. So two versions with the same
   * layout token hold the same ids at the same positions.
   */
  Object layout() {
    return starts;
  }

  /** The chunk and offset of {@code id} packed as {@code chunk << 32 | offset}, or -1 if absent. */
  long position(String id) {
    if (chunks.length == 0) {
      return -1;
    }
    int c = chunkFor(id);
    int i = indexIn(chunks[c], id);
    return i < 0 ? -1 : (long) c << 32 | i;
  }

  /** The chunk and offset of the node at {@code index} packed as {@code chunk << 32 | offset}. */
  long positionOf(int index) {
    int c = Arrays.binarySearch(starts, 0, chunks.length, index);
    if (c < 0) {
      c = -c - 2;
    }
    // Empty chunks cannot exist (a chunk emptied by a removal is dropped), so c holds index.
    return (long) c << 32 | (index - starts[c]);
  }

  /** The chunk that holds {@code id} if present: the last whose first id is <= id (0 if none). */
  private int chunkFor(String id) {
    int lo = 0;
    int hi = chunks.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (chunks[mid][0].id().compareTo(id) <= 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  private static int indexIn(NodeInfo[] chunk, String id) {
    int lo = 0;
    int hi = chunk.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int cmp = chunk[mid].id().compareTo(id);
      if (cmp == 0) {
        return mid;
      } else if (cmp < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -(lo + 1);
  }

  NodeInfo find(String id) {
    if (chunks.length == 0) {
      return null;
    }
    NodeInfo[] chunk = chunks[chunkFor(id)];
    int i = indexIn(chunk, id);
    return i >= 0 ? chunk[i] : null;
  }

  NodeChunks with(NodeInfo node) {
    if (chunks.length == 0) {
      return new NodeChunks(new NodeInfo[][] {{node}}, new int[] {0, 1}, tainted(node));
    }
    int c = chunkFor(node.id());
    NodeInfo[] chunk = chunks[c];
    int i = indexIn(chunk, node.id());
    NodeInfo[][] copy = chunks.clone();
    if (i >= 0) {
      NodeInfo[] replaced = chunk.clone();
      replaced[i] = node;
      copy[c] = replaced;
      return new NodeChunks(copy, starts, tainted - tainted(chunk[i]) + tainted(node));
    }
    int at = -i - 1;
    NodeInfo[] grown = new NodeInfo[chunk.length + 1];
    System.arraycopy(chunk, 0, grown, 0, at);
    grown[at] = node;
    System.arraycopy(chunk, at, grown, at + 1, chunk.length - at);
    if (grown.length <= MAX_CHUNK) {
      copy[c] = grown;
      return new NodeChunks(copy, startsOf(copy), tainted + tainted(node));
    }
    NodeInfo[][] split = new NodeInfo[chunks.length + 1][];
    System.arraycopy(chunks, 0, split, 0, c);
    split[c] = Arrays.copyOfRange(grown, 0, grown.length / 2);
    split[c + 1] = Arrays.copyOfRange(grown, grown.length / 2, grown.length);
    System.arraycopy(chunks, c + 1, split, c + 2, chunks.length - c - 1);
    return new NodeChunks(split, startsOf(split), tainted + tainted(node));
  }

  NodeChunks without(String id) {
    if (chunks.length == 0) {
      return this;
    }
    int c = chunkFor(id);
    NodeInfo[] chunk = chunks[c];
    int i = indexIn(chunk, id);
    if (i < 0) {
      return this;
    }
    if (chunk.length == 1) {
      NodeInfo[][] shrunk = new NodeInfo[chunks.length - 1][];
      System.arraycopy(chunks, 0, shrunk, 0, c);
      System.arraycopy(chunks, c + 1, shrunk, c, shrunk.length - c);
      return new NodeChunks(shrunk, startsOf(shrunk), tainted - tainted(chunk[i]));
    }
    NodeInfo[] smaller = new NodeInfo[chunk.length - 1];
    System.arraycopy(chunk, 0, smaller, 0, i);
    System.arraycopy(chunk, i + 1, smaller, i, smaller.length - i);
    NodeInfo[][] copy = chunks.clone();
    copy[c] = smaller;
    return new NodeChunks(copy, startsOf(copy), tainted - tainted(chunk[i]));
  }
}
