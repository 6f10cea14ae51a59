package io.tideflow.runtime.worker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.ToLongFunction;

/**
 * The tasks that wait for a slot, earliest deadline first (ties, and tasks without a deadline, in
 * arrival order). Earliest-deadline-first is the order in which the most waiting tasks meet their
 * deadlines, and it keeps expiry cheap: what is past its deadline is always at the head, so {@link
 * #pollExpired} looks at the head only and each task costs O(log n) to add, take or expire, however
 * long the queue. Tasks without a deadline go behind those with one; they cannot starve for long,
 * since admission bounds how much is ever ahead of them.
 *
 * <p>Bounded by {@code capacity}. One lock, used for nothing else and never held while a task runs
 * or is answered.
 */
final class RunQueue<T> {
  private record Entry<T>(long deadline, long seq, T item) {}

  private final PriorityQueue<Entry<T>> heap =
      new PriorityQueue<>(
          Comparator.<Entry<T>>comparingLong(Entry::deadline).thenComparingLong(Entry::seq));
  private final ToLongFunction<T> deadlineOf;
  private final int capacity;
  private long seq;

  /**
   * @param deadlineOf the item's deadline in the clock's millis, {@code Long.MAX_VALUE} for none;
   *     read once, when it is added
   */
  RunQueue(int capacity, ToLongFunction<T> deadlineOf) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be > 0, was " + capacity);
    }
    this.capacity = capacity;
    this.deadlineOf = deadlineOf;
  }

  /** Adds {@code item}; false when the queue is full. */
  synchronized boolean offer(T item) {
    if (heap.size() >= capacity) {
      return false;
    }
    heap.add(new Entry<>(deadlineOf.applyAsLong(item), seq++, item));
    return true;
  }

  /** The task to run next, or null. */
  synchronized T poll() {
    Entry<T> e = heap.poll();
    return e == null ? null : e.item();
  }

  /**
   * Takes every task whose deadline is before {@code nowMillis} (one exactly at it still has time).
   */
  synchronized List<T> pollExpired(long nowMillis) {
    List<T> expired = List.of();
    Entry<T> head;
    while ((head = heap.peek()) != null && nowMillis > head.deadline()) {
      if (expired.isEmpty()) {
        expired = new ArrayList<>();
      }
      expired.add(heap.poll().item());
    }
    return expired;
  }

  synchronized int size() {
    return heap.size();
  }

  synchronized boolean isEmpty() {
    return heap.isEmpty();
  }
}
