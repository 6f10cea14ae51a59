package io.tideflow.cache.near;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;

/** Which near tier a cache keeps in front of Redis. */
public enum NearPolicy {
  /** Caffeine's W-TinyLFU: admits by frequency, so scans and one-hit keys do not flush hot ones. */
  W_TINY_LFU {
    @Override
    public <V> NearTier<V> create(long maximumSize, Duration expireAfterWrite, Ticker ticker) {
      return new CaffeineNearTier<>(maximumSize, expireAfterWrite, ticker);
    }
  },
  /** Least recently used: evicts the entry read or written longest ago. */
  LRU {
    @Override
    public <V> NearTier<V> create(long maximumSize, Duration expireAfterWrite, Ticker ticker) {
      return new LruNearTier<>(maximumSize, expireAfterWrite, ticker);
    }
  },
  /** No near tier: every read goes to Redis (for measuring the remote tier alone). */
  NONE {
    @Override
    public <V> NearTier<V> create(long maximumSize, Duration expireAfterWrite, Ticker ticker) {
      return new NoNearTier<>();
    }
  };

  /**
   * A new, empty near tier.
   *
   * @param maximumSize the most entries it holds
   * @param expireAfterWrite the longest an entry lives, whatever its own time to live
   * @param ticker the source of time for expiry
   */
  public abstract <V> NearTier<V> create(
      long maximumSize, Duration expireAfterWrite, Ticker ticker);
}
