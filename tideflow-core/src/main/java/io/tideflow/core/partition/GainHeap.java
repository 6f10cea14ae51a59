package io.tideflow.core.partition;

import java.util.Arrays;

/**
 * A max-heap of (gain, vertex) pairs packed into longs, the highest gain first. Entries are never
 * updated in place: a vertex whose gain changed is pushed again and the stale entry skipped when it
 * surfaces (the caller compares the popped gain with the vertex's current one).
 */
final class GainHeap {
  private long[] heap = new long[64];
  private int size;

  static long pack(int gain, int vertex) {
    return ((long) gain << 32) | (vertex & 0xffffffffL);
  }

  static int gain(long entry) {
    return (int) (entry >> 32);
  }

  static int vertex(long entry) {
    return (int) entry;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void clear() {
    size = 0;
  }

  void push(int gain, int vertex) {
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    long e = pack(gain, vertex);
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] >= e) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = e;
  }

  long peek() {
    return heap[0];
  }

  long pop() {
    long top = heap[0];
    long last = heap[--size];
    int i = 0;
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      if (child + 1 < size && heap[child + 1] > heap[child]) {
        child++;
      }
      if (last >= heap[child]) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    if (size > 0) {
      heap[i] = last;
    }
    return top;
  }
}
