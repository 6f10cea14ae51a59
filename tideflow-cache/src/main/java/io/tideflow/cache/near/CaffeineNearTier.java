package io.tideflow.cache.near;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * The default near tier: Caffeine (W-TinyLFU), bounded by entry count, with a time to live per
 * entry capped by the tier's expire-after-write bound.
 */
final class CaffeineNearTier<V> implements NearTier<V> {
  private final Cache<String, Timed<V>> cache;
  private final LongAdder evictions = new LongAdder();

  CaffeineNearTier(long maximumSize, Duration expireAfterWrite, Ticker ticker) {
    long capNanos = NearLimits.positiveNanos("expireAfterWrite", expireAfterWrite);
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(NearLimits.requirePositive("maximumSize", maximumSize))
            .expireAfter(new PerEntryExpiry<V>(capNanos))
            .ticker(ticker)
            // Maintenance on the calling thread: no task per write on the common pool, and a
            // replayed trace (the hit-rate simulation) is deterministic.
            .executor(Runnable::run)
            .<String, Timed<V>>evictionListener(
                (key, value, cause) -> {
                  if (cause == RemovalCause.SIZE) {
                    evictions.increment();
                  }
                })
            .build();
  }

  @Override
  public V getIfPresent(String key) {
    Timed<V> timed = cache.getIfPresent(key);
    return timed == null ? null : timed.value();
  }

  @Override
  public void put(String key, V value, Duration ttl) {
    cache.put(key, new Timed<>(value, NearLimits.positiveNanos("ttl", ttl)));
  }

  @Override
  public void invalidate(String key) {
    cache.invalidate(key);
  }

  @Override
  public void invalidateAll() {
    cache.invalidateAll();
  }

  @Override
  public long estimatedSize() {
    return cache.estimatedSize();
  }

  @Override
  public long evictionCount() {
    return evictions.sum();
  }

  /** A value and the time to live it was written with. */
  private record Timed<V>(V value, long ttlNanos) {}

  /**
   * Each entry lives for its own time to live, at most {@code capNanos}; reads do not extend it.
   */
  private record PerEntryExpiry<V>(long capNanos) implements Expiry<String, Timed<V>> {
    @Override
    public long expireAfterCreate(String key, Timed<V> value, long currentTime) {
      return Math.min(value.ttlNanos(), capNanos);
    }

    @Override
    public long expireAfterUpdate(
        String key, Timed<V> value, long currentTime, long currentDuration) {
      return Math.min(value.ttlNanos(), capNanos);
    }

    @Override
    public long expireAfterRead(
        String key, Timed<V> value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
