package io.tideflow.cache.near;

import java.time.Duration;

/**
 * The in-process tier: a bounded map of decoded values, each with its own time to live.
 *
 * <p>Called from any thread, concurrently, including Lettuce's event loop (invalidations from other
 * nodes): implementations are thread-safe and never block on I/O. Keys and values are never {@code
 * null}.
 *
 * @param <V> the value type
 */
public interface NearTier<V> {

  /** The live value for {@code key}, or {@code null} when absent or expired. */
  V getIfPresent(String key);

  /**
   * Stores {@code value}; it expires after {@code ttl} or after the tier's own expire-after-write
   * bound, whichever is shorter.
   */
  void put(String key, V value, Duration ttl);

  /** Removes {@code key} if present. */
  void invalidate(String key);

  /** Removes every entry. */
  void invalidateAll();

  /** About how many entries are held (expired ones not yet removed may count). */
  long estimatedSize();

  /** How many entries were removed to stay within the size bound (not expirations). */
  long evictionCount();
}
