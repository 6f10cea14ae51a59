package io.tideflow.cache;

import io.tideflow.cache.near.NearPolicy;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The settings of one cache namespace; see {@link CacheBuilder} for each one's default.
 *
 * @param namespace names the cache in Redis keys ({@code namespace:key}), its invalidation channel
 *     and its metrics; letters, digits, '.', '_' and '-'
 * @param nearPolicy which near tier
 * @param nearMaximumSize the most entries the near tier holds
 * @param nearExpireAfterWrite the longest a near copy lives, whatever the entry's own time to live
 * @param defaultTtl the time to live of entries put without one
 * @param maxKeyBytes the longest key, in UTF-8 bytes
 * @param maxValueBytes the largest value, in bytes after serialization and before compression
 * @param compressionThreshold values of at least this many serialized bytes are compressed
 * @param compressionLevel the zstd level
 * @param lockTtl how long the cross-node load lock is held at most
 * @param lockWait how long a node waits for another node's load before loading itself
 * @param loadWait how long a caller waits for the same node's load of the same key
 * @param warmParallelism the most loads warming runs at once
 * @param maxPendingInvalidations the most keys whose failed deletion this node remembers to retry;
 *     past it the whole namespace is flushed from Redis once Redis serves again
 */
public record CacheSettings(
    String namespace,
    NearPolicy nearPolicy,
    long nearMaximumSize,
    Duration nearExpireAfterWrite,
    Duration defaultTtl,
    int maxKeyBytes,
    int maxValueBytes,
    int compressionThreshold,
    int compressionLevel,
    Duration lockTtl,
    Duration lockWait,
    Duration loadWait,
    int warmParallelism,
    int maxPendingInvalidations) {
  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  // Invalidation messages carry keys as modified UTF-8, which holds at most 65,535 bytes.
  private static final int KEY_BYTES_LIMIT = 32 * 1024;

  public CacheSettings {
    if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          "namespace must be 1-64 of [A-Za-z0-9._-], was '" + namespace + "'");
    }
    if (nearPolicy == null) {
      throw new IllegalArgumentException("nearPolicy must be set");
    }
    positive("nearMaximumSize", nearMaximumSize);
    positive("nearExpireAfterWrite", nearExpireAfterWrite);
    positive("defaultTtl", defaultTtl);
    positive("maxKeyBytes", maxKeyBytes);
    if (maxKeyBytes > KEY_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "maxKeyBytes must be <= " + KEY_BYTES_LIMIT + ", was " + maxKeyBytes);
    }
    positive("maxValueBytes", maxValueBytes);
    if (compressionThreshold < 0) {
      throw new IllegalArgumentException(
          "compressionThreshold must be >= 0, was " + compressionThreshold);
    }
    positive("lockTtl", lockTtl);
    positive("lockWait", lockWait);
    positive("loadWait", loadWait);
    positive("warmParallelism", warmParallelism);
    positive("maxPendingInvalidations", maxPendingInvalidations);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
  }
}
