package io.tideflow.cache;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys whose deletion (or overwrite) did not reach Redis, kept until it does: while a key is here,
 * Redis may still hold a value the application removed, so this node reads nothing from Redis for
 * it.
 *
 * <p>Holds at most {@code limit} keys. One more and it stops naming keys: it <em>overflows</em>,
 * and then every key of the namespace counts as pending until the whole namespace has been flushed
 * from Redis ({@link #flushed}). Losing track of a deletion is never an option; a flush costs only
 * misses.
 *
 * <p>Thread-safe. Changes take this object's monitor, which guards nothing else and is never held
 * across I/O; {@link #blocks} reads without it.
 */
final class PendingInvalidations {
  private final int limit;
  // key -> the sequence number of its latest failed deletion, so a retry that raced a newer failure
  // does not forget it.
  private final ConcurrentHashMap<String, Long> keys = new ConcurrentHashMap<>();
  private volatile boolean overflowed;
  private long sequence; // guarded by this
  private long overflows; // guarded by this

  PendingInvalidations(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("maxPendingInvalidations must be >= 1, was " + limit);
    }
    this.limit = limit;
  }

  /** Records that the deletion of {@code failed} did not reach Redis. */
  synchronized void add(Collection<String> failed) {
    for (String key : failed) {
      sequence++;
      if (overflowed) {
        continue; // the flush covers every key; the sequence tells it one more came meanwhile
      }
      if (keys.size() >= limit && !keys.containsKey(key)) {
        overflowed = true;
        overflows++;
        keys.clear();
        continue;
      }
      keys.put(key, sequence);
    }
  }

  /** Whether this node must not serve {@code key} from Redis yet. */
  boolean blocks(String key) {
    return overflowed || (!keys.isEmpty() && keys.containsKey(key));
  }

  /** Whether nothing is waiting to be retried. */
  boolean isEmpty() {
    return !overflowed && keys.isEmpty();
  }

  /** Whether the namespace must be flushed as a whole. */
  boolean overflowed() {
    return overflowed;
  }

  /** How many named keys wait; the limit plus one while overflowed. */
  long size() {
    return overflowed ? limit + 1L : keys.size();
  }

  /** How many times the limit was passed (each time the namespace was flushed, or will be). */
  synchronized long overflows() {
    return overflows;
  }

  /** Where a flush of the whole namespace starts from; pass it to {@link #flushed}. */
  synchronized long mark() {
    return sequence;
  }

  /**
   * The namespace was flushed from Redis after {@link #mark} returned {@code mark}: ends the
   * overflow unless a deletion failed meanwhile (that one may have missed the flush).
   */
  synchronized void flushed(long mark) {
    if (sequence == mark) {
      overflowed = false;
      keys.clear();
    }
  }

  /** Up to {@code max} pending keys with their sequence numbers, to retry. */
  synchronized Map<String, Long> batch(int max) {
    Map<String, Long> batch = new LinkedHashMap<>();
    for (var entry : keys.entrySet()) {
      if (batch.size() == max) {
        break;
      }
      batch.put(entry.getKey(), entry.getValue());
    }
    return batch;
  }

  /**
   * A write or deletion of {@code written} that started after {@link #mark} returned {@code mark}
   * reached Redis and was announced to the other nodes: it did what their pending deletions were
   * for, so they are dropped (a retry must not delete the newer value later). Keys that failed
   * again since the mark stay.
   */
  synchronized void written(Collection<String> written, long mark) {
    if (keys.isEmpty()) {
      return;
    }
    for (String key : written) {
      keys.computeIfPresent(key, (k, failedAt) -> failedAt <= mark ? null : failedAt);
    }
  }

  /** The deletions in {@code batch} reached Redis; keys that failed again since stay. */
  synchronized void done(Map<String, Long> batch) {
    batch.forEach(keys::remove);
  }
}
