package io.tideflow.cache.stats;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tideflow.cache.near.NearTier;
import io.tideflow.cache.remote.CircuitBreaker;
import io.tideflow.cache.remote.RedisRemote;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Counts what a cache namespace does, on the hot path with {@link LongAdder}s only; Micrometer
 * reads them through function meters when it is scraped.
 */
public final class CacheMetrics {
  private final LongAdder nearHits = new LongAdder();
  private final LongAdder nearMisses = new LongAdder();
  private final LongAdder remoteHits = new LongAdder();
  private final LongAdder remoteMisses = new LongAdder();
  private final LongAdder writes = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder loadNanos = new LongAdder();
  private final LongAdder remoteErrors = new LongAdder();
  private final LongAdder serializedBytes = new LongAdder();
  private final LongAdder storedBytes = new LongAdder();
  private final LongAdder notCached = new LongAdder();
  private final LongAdder loadsDiscarded = new LongAdder();
  private final LongAdder invalidationsRetried = new LongAdder();
  private final NearTier<?> near;
  private final LongSupplier pendingInvalidations;
  private final LongSupplier pendingOverflows;

  /**
   * @param pendingInvalidations how many keys wait for their deletion to reach Redis now
   * @param pendingOverflows how many times more deletions failed than could be remembered
   */
  public CacheMetrics(
      NearTier<?> near, LongSupplier pendingInvalidations, LongSupplier pendingOverflows) {
    this.near = near;
    this.pendingInvalidations = pendingInvalidations;
    this.pendingOverflows = pendingOverflows;
  }

  public void nearHit() {
    nearHits.increment();
  }

  public void nearMiss() {
    nearMisses.increment();
  }

  public void remoteHit() {
    remoteHits.increment();
  }

  public void remoteMiss() {
    remoteMisses.increment();
  }

  public void remoteError() {
    remoteErrors.increment();
  }

  public void writes(int count) {
    writes.add(count);
  }

  /** A value of {@code serialized} bytes was stored in Redis as {@code stored} bytes. */
  public void stored(int serialized, int stored) {
    serializedBytes.add(serialized);
    storedBytes.add(stored);
  }

  /** A loaded value too large to cache was handed to the caller without being cached. */
  public void notCached() {
    notCached.increment();
  }

  /** A loaded value was not cached because the key was written while the load ran. */
  public void loadDiscarded() {
    loadsDiscarded.increment();
  }

  /** {@code count} deletions that had failed reached Redis on a retry. */
  public void invalidationsRetried(int count) {
    invalidationsRetried.add(count);
  }

  public void loaded(long nanos) {
    loads.increment();
    loadNanos.add(nanos);
  }

  public void loadFailed(long nanos) {
    loadFailures.increment();
    loadNanos.add(nanos);
  }

  /** The counts now. */
  public CacheStats snapshot() {
    return new CacheStats(
        nearHits.sum(),
        nearMisses.sum(),
        remoteHits.sum(),
        remoteMisses.sum(),
        writes.sum(),
        loads.sum(),
        loadFailures.sum(),
        loadNanos.sum(),
        remoteErrors.sum(),
        serializedBytes.sum(),
        storedBytes.sum(),
        near.estimatedSize(),
        near.evictionCount(),
        loadsDiscarded.sum(),
        pendingInvalidations.getAsLong(),
        invalidationsRetried.sum(),
        pendingOverflows.getAsLong());
  }

  /**
   * Registers this namespace's meters, all named {@code tideflow.cache.*} and tagged {@code
   * cache=<namespace>}, and, when there is one, the shared remote tier's (untagged).
   */
  public void bindTo(MeterRegistry registry, String namespace, RedisRemote remote) {
    Tags tags = Tags.of("cache", namespace);
    counter(registry, "tideflow.cache.gets", tags.and("tier", "near", "result", "hit"), nearHits);
    counter(
        registry, "tideflow.cache.gets", tags.and("tier", "near", "result", "miss"), nearMisses);
    counter(
        registry, "tideflow.cache.gets", tags.and("tier", "remote", "result", "hit"), remoteHits);
    counter(
        registry,
        "tideflow.cache.gets",
        tags.and("tier", "remote", "result", "miss"),
        remoteMisses);
    counter(registry, "tideflow.cache.writes", tags, writes);
    counter(registry, "tideflow.cache.remote.errors", tags, remoteErrors);
    counter(registry, "tideflow.cache.evictions", tags, near, NearTier::evictionCount);
    gauge(registry, "tideflow.cache.size", tags.and("tier", "near"), near, NearTier::estimatedSize);
    gauge(registry, "tideflow.cache.hit.ratio", tags, this, m -> m.snapshot().hitRate());
    gauge(registry, "tideflow.cache.near.hit.ratio", tags, this, m -> m.snapshot().nearHitRate());
    gauge(
        registry,
        "tideflow.cache.compression.ratio",
        tags,
        this,
        m -> m.snapshot().compressionRatio());
    FunctionTimer.builder(
            "tideflow.cache.loads",
            loads,
            LongAdder::sum,
            l -> loadNanos.sum(),
            TimeUnit.NANOSECONDS)
        .tags(tags.and("result", "success"))
        .description("loads and the time they took (failures included in the time)")
        .register(registry);
    counter(registry, "tideflow.cache.load.failures", tags, loadFailures);
    counter(registry, "tideflow.cache.loads.not.cached", tags, notCached);
    counter(registry, "tideflow.cache.loads.discarded", tags, loadsDiscarded);
    gauge(
        registry,
        "tideflow.cache.invalidations.pending",
        tags,
        pendingInvalidations,
        LongSupplier::getAsLong);
    counter(registry, "tideflow.cache.invalidations.retried", tags, invalidationsRetried);
    counter(
        registry,
        "tideflow.cache.invalidations.overflows",
        tags,
        pendingOverflows,
        LongSupplier::getAsLong);
    if (remote != null) {
      bindRemote(registry, remote);
    }
  }

  private static void bindRemote(MeterRegistry registry, RedisRemote remote) {
    FunctionTimer.builder(
            "tideflow.cache.remote.calls",
            remote,
            r -> r.stats().calls(),
            r -> r.stats().callNanos(),
            TimeUnit.NANOSECONDS)
        .description("Redis calls answered and their time")
        .register(registry);
    counter(
        registry,
        "tideflow.cache.remote.failures",
        Tags.of("cause", "timeout"),
        remote,
        r -> r.stats().timeouts());
    counter(
        registry,
        "tideflow.cache.remote.failures",
        Tags.of("cause", "error"),
        remote,
        r -> r.stats().errors());
    counter(
        registry,
        "tideflow.cache.remote.failures",
        Tags.of("cause", "breaker-open"),
        remote,
        r -> r.stats().rejected());
    gauge(
        registry,
        "tideflow.cache.remote.breaker.open",
        Tags.empty(),
        remote,
        r -> r.breakerState() == CircuitBreaker.State.CLOSED ? 0 : 1);
  }

  private static void counter(MeterRegistry registry, String name, Tags tags, LongAdder adder) {
    counter(registry, name, tags, adder, LongAdder::sum);
  }

  private static <T> void counter(
      MeterRegistry registry, String name, Tags tags, T source, ToDoubleFunction<T> value) {
    FunctionCounter.builder(name, source, value).tags(tags).register(registry);
  }

  private static <T> void gauge(
      MeterRegistry registry, String name, Tags tags, T source, ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value).tags(tags).strongReference(true).register(registry);
  }
}
