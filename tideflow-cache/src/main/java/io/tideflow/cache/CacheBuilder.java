package io.tideflow.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.cache.codec.Codec;
import io.tideflow.cache.near.NearPolicy;
import io.tideflow.cache.remote.RedisRemote;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * Configures a {@link TwoTierCache}. Every setting has a default; without {@link #remote} the cache
 * is near-only.
 *
 * @param <V> the value type
 */
public final class CacheBuilder<V> {
  private final String namespace;
  private final Codec<V> codec;
  private NearPolicy nearPolicy = NearPolicy.W_TINY_LFU;
  private long nearMaximumSize = 10_000;
  private Duration nearExpireAfterWrite = Duration.ofMinutes(5);
  private Duration defaultTtl = Duration.ofMinutes(10);
  private int maxKeyBytes = 1024;
  private int maxValueBytes = 1024 * 1024;
  private int compressionThreshold = 1024;
  private int compressionLevel = 3;
  private Duration lockTtl = Duration.ofSeconds(10);
  private Duration lockWait = Duration.ofSeconds(3);
  private Duration loadWait = Duration.ofSeconds(30);
  private int warmParallelism = 8;
  private int maxPendingInvalidations = 10_000;
  private RedisRemote remote;
  private MeterRegistry meterRegistry;
  private Ticker ticker = Ticker.systemTicker();
  private InstantSource clock = InstantSource.system();

  CacheBuilder(String namespace, Codec<V> codec) {
    this.namespace = namespace;
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  /** The near tier: W-TinyLFU (default), LRU or none; 10,000 entries, 5 minutes at most. */
  public CacheBuilder<V> near(NearPolicy policy, long maximumSize, Duration expireAfterWrite) {
    this.nearPolicy = policy;
    this.nearMaximumSize = maximumSize;
    this.nearExpireAfterWrite = expireAfterWrite;
    return this;
  }

  /** The remote tier, shared by the namespaces of a process; none by default (near only). */
  public CacheBuilder<V> remote(RedisRemote remote) {
    this.remote = remote;
    return this;
  }

  /** The time to live of entries put or loaded without one; 10 minutes by default. */
  public CacheBuilder<V> defaultTtl(Duration ttl) {
    this.defaultTtl = ttl;
    return this;
  }

  /** Size limits: keys of 1 KiB and values of 1 MiB (serialized) by default. */
  public CacheBuilder<V> limits(int maxKeyBytes, int maxValueBytes) {
    this.maxKeyBytes = maxKeyBytes;
    this.maxValueBytes = maxValueBytes;
    return this;
  }

  /**
   * zstd for values of at least {@code threshold} bytes (1 KiB by default) at {@code level} (3).
   */
  public CacheBuilder<V> compression(int threshold, int level) {
    this.compressionThreshold = threshold;
    this.compressionLevel = level;
    return this;
  }

  /**
   * Cross-node single flight: the load lock lives at most {@code lockTtl} (10 s by default); a node
   * that did not get it waits up to {@code lockWait} (3 s) for the value, then loads itself.
   */
  public CacheBuilder<V> loadLock(Duration lockTtl, Duration lockWait) {
    this.lockTtl = lockTtl;
    this.lockWait = lockWait;
    return this;
  }

  /** How long a caller waits for a load of the same key on the same node; 30 s by default. */
  public CacheBuilder<V> loadWait(Duration loadWait) {
    this.loadWait = loadWait;
    return this;
  }

  /** The most loads {@link TwoTierCache#warm(java.util.Collection, CacheLoader)} runs at once. */
  public CacheBuilder<V> warmParallelism(int parallelism) {
    this.warmParallelism = parallelism;
    return this;
  }

  /**
   * The most keys whose deletion failed during a Redis outage this node keeps to retry, 10,000 by
   * default. Past it the node stops naming keys: it serves nothing from Redis until Redis is back
   * and the whole namespace has been deleted there (SCAN and DEL) and every node's near tier told
   * to clear.
   */
  public CacheBuilder<V> maxPendingInvalidations(int limit) {
    this.maxPendingInvalidations = limit;
    return this;
  }

  /** Where the cache's meters go; none by default. */
  public CacheBuilder<V> meterRegistry(MeterRegistry registry) {
    this.meterRegistry = registry;
    return this;
  }

  /** Monotonic time for near-tier expiry (tests pass a fake one). */
  public CacheBuilder<V> ticker(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /** Wall-clock time for expiry carried between nodes. */
  public CacheBuilder<V> clock(InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** The cache; it subscribes to its invalidation channel if it has a remote tier. */
  public TwoTierCache<V> build() {
    CacheSettings settings =
        new CacheSettings(
            namespace,
            nearPolicy,
            nearMaximumSize,
            nearExpireAfterWrite,
            defaultTtl,
            maxKeyBytes,
            maxValueBytes,
            compressionThreshold,
            compressionLevel,
            lockTtl,
            lockWait,
            loadWait,
            warmParallelism,
            maxPendingInvalidations);
    return new TwoTierCache<>(settings, codec, remote, meterRegistry, ticker, clock);
  }
}
