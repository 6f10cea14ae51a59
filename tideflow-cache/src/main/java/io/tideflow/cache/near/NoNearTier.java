package io.tideflow.cache.near;

import java.time.Duration;

/** Holds nothing: see {@link NearPolicy#NONE}. */
final class NoNearTier<V> implements NearTier<V> {
  @Override
  public V getIfPresent(String key) {
    return null;
  }

  @Override
  public void put(String key, V value, Duration ttl) {}

  @Override
  public void invalidate(String key) {}

  @Override
  public void invalidateAll() {}

  @Override
  public long estimatedSize() {
    return 0;
  }

  @Override
  public long evictionCount() {
    return 0;
  }
}
