package io.tideflow.runtime.worker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The tasks that wait for a slot, earliest deadline first (ties, and tasks without a deadline, in
 * arrival order). Earliest-deadline-first is the order in which the most waiting tasks meet their
 * deadlines, and it keeps expiry cheap: what is past its deadline is always at the head, so {@link
 * #pollExpired} looks at the head only and each task costs O(log n) to add, take or expire, however
 * long the queue. Tasks without a deadline go behind those with one; they cannot starve for long,
 * since admission bounds how much is ever ahead of them.
 *
 * <p>Bounded by {@code capacity}. Lock-free (a skip list and a counter): the gRPC event loop adds
 * to it while the virtual threads that run tasks take from it, and a lock shared by the two would
 * let the event loop wait behind a virtual thread that is woken but not run (see {@link
 * io.tideflow.runtime.transport.WriteLoop}).
 */
final class RunQueue<T> {
  private record Entry(long deadline, long seq) {}

  private static final Comparator<Entry> ORDER =
      Comparator.comparingLong(Entry::deadline).thenComparingLong(Entry::seq);

  private final ConcurrentSkipListMap<Entry, T> waiting = new ConcurrentSkipListMap<>(ORDER);
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong seqs = new AtomicLong();
  private final ToLongFunction<T> deadlineOf;
  private final int capacity;

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
  boolean offer(T item) {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      return false;
    }
    waiting.put(new Entry(deadlineOf.applyAsLong(item), seqs.getAndIncrement()), item);
    return true;
  }

  /** The task to run next, or null. */
  T poll() {
    Map.Entry<Entry, T> e = waiting.pollFirstEntry();
    if (e == null) {
      return null;
    }
    size.decrementAndGet();
    return e.getValue();
  }

  /**
   * Takes every task whose deadline is before {@code nowMillis} (one exactly at it still has time).
   */
  List<T> pollExpired(long nowMillis) {
    List<T> expired = List.of();
    Map.Entry<Entry, T> head;
    while ((head = waiting.firstEntry()) != null && nowMillis > head.getKey().deadline()) {
      // Taken only if no task thread took it meanwhile.
      if (waiting.remove(head.getKey()) != null) {
        size.decrementAndGet();
        if (expired.isEmpty()) {
          expired = new ArrayList<>();
        }
        expired.add(head.getValue());
      }
    }
    return expired;
  }

  /** Tasks waiting; while an add is under way it may count one more than can be taken. */
  int size() {
    return size.get();
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }
}
