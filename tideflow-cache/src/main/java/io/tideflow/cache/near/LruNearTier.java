package io.tideflow.cache.near;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Plain least-recently-used: an access-ordered {@link LinkedHashMap} under one lock.
 *
 * <p>Here because users ask for LRU by name and to compare it with W-TinyLFU. One lock serializes
 * every read (a read moves the entry to the tail), which is fine for a near tier on a few cores and
 * keeps the policy exact; expired entries are removed when read or when they reach the head.
 */
final class LruNearTier<V> implements NearTier<V> {
  private final long maximumSize;
  private final long capNanos;
  private final Ticker ticker;
  // Guarded by lock; the lock is used for nothing else.
  private final LinkedHashMap<String, Node<V>> map;
  private final ReentrantLock lock = new ReentrantLock();
  private long evictions;

  LruNearTier(long maximumSize, Duration expireAfterWrite, Ticker ticker) {
    this.maximumSize = NearLimits.requirePositive("maximumSize", maximumSize);
    this.capNanos = NearLimits.positiveNanos("expireAfterWrite", expireAfterWrite);
    this.ticker = ticker;
    this.map =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Node<V>> eldest) {
            if (size() <= LruNearTier.this.maximumSize) {
              return false;
            }
            if (eldest.getValue().expiresAt - LruNearTier.this.ticker.read() > 0) {
              evictions++;
            }
            return true;
          }
        };
  }

  @Override
  public V getIfPresent(String key) {
    lock.lock();
    try {
      Node<V> entry = map.get(key);
      if (entry == null) {
        return null;
      }
      if (entry.expiresAt - ticker.read() <= 0) {
        map.remove(key);
        return null;
      }
      return entry.value;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void put(String key, V value, Duration ttl) {
    long ttlNanos = Math.min(NearLimits.positiveNanos("ttl", ttl), capNanos);
    long expiresAt = ticker.read() + ttlNanos;
    lock.lock();
    try {
      map.put(key, new Node<>(value, expiresAt));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void invalidate(String key) {
    lock.lock();
    try {
      map.remove(key);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void invalidateAll() {
    lock.lock();
    try {
      map.clear();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long estimatedSize() {
    lock.lock();
    try {
      return map.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long evictionCount() {
    lock.lock();
    try {
      return evictions;
    } finally {
      lock.unlock();
    }
  }

  private record Node<V>(V value, long expiresAt) {}
}
