package io.tideflow.cache;

import io.tideflow.cache.remote.Invalidation;
import io.tideflow.cache.remote.RedisRemote;
import io.tideflow.cache.remote.RemoteUnavailableException;
import io.tideflow.cache.stats.CacheMetrics;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers the {@link PendingInvalidations} once Redis serves again: DEL of the keys, then their
 * invalidation message, so other nodes drop their near copies too. After an overflow it deletes the
 * namespace's every key (SCAN and DEL) and tells other nodes to clear their near tiers.
 *
 * <p>Retries run on one virtual thread at a time: right away when the remote tier recovers, and
 * otherwise every {@code retryDelay} while anything is pending (the breaker's open duration, so a
 * retry is at most the probe the breaker would let through anyway).
 */
final class InvalidationRetry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(InvalidationRetry.class.getName());
  // Keys per DEL and per message: one command stays well within the command timeout.
  private static final int KEYS_PER_BATCH = 500;

  private final PendingInvalidations pending;
  private final RedisRemote remote;
  private final EntryEncoder<?> encoder;
  private final CacheMetrics metrics;
  private final String channel;
  private final String origin;
  private final Executor later;
  private final Executor now;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean closed;

  InvalidationRetry(
      PendingInvalidations pending,
      RedisRemote remote,
      EntryEncoder<?> encoder,
      CacheMetrics metrics,
      String channel,
      String origin) {
    this.pending = pending;
    this.remote = remote;
    this.encoder = encoder;
    this.metrics = metrics;
    this.channel = channel;
    this.origin = origin;
    Executor virtual = task -> Thread.ofVirtual().name("tideflow-cache-invalidation").start(task);
    Duration retryDelay = remote.options().openDuration();
    this.later =
        CompletableFuture.delayedExecutor(retryDelay.toNanos(), TimeUnit.NANOSECONDS, virtual);
    this.now = virtual;
  }

  /** The deletion of {@code keys} did not reach Redis: keep it and retry it later. */
  void failed(Collection<String> keys) {
    pending.add(keys);
    schedule(later);
  }

  /** Redis serves again: retry what is pending at once. */
  void retryNow() {
    if (!pending.isEmpty()) {
      schedule(now);
    }
  }

  /** Stops retrying; what is still pending is dropped with this cache. */
  @Override
  public void close() {
    closed = true;
  }

  private void schedule(Executor executor) {
    if (!closed && scheduled.compareAndSet(false, true)) {
      executor.execute(this::run);
    }
  }

  private void run() {
    if (closed) {
      scheduled.set(false);
      return;
    }
    try {
      deliver();
    } catch (RemoteUnavailableException e) {
      // Expected while Redis is still away: counted; the keys stay pending for the next attempt.
      metrics.remoteError();
      LOG.log(Level.FINE, () -> "invalidations on " + channel + " not delivered yet: " + e);
    } finally {
      scheduled.set(false);
    }
    if (!pending.isEmpty()) {
      schedule(later);
    }
  }

  private void deliver() throws RemoteUnavailableException {
    if (pending.overflowed()) {
      long mark = pending.mark();
      long deleted = remote.deleteMatching(encoder.redisKeyPattern());
      remote.publish(channel, Invalidation.everyKey(origin).encode());
      pending.flushed(mark);
      LOG.log(
          Level.WARNING,
          "cache on "
              + channel
              + ": more deletions failed during the outage than maxPendingInvalidations;"
              + " flushed the namespace from Redis ("
              + deleted
              + " keys)");
    }
    while (true) {
      Map<String, Long> batch = pending.batch(KEYS_PER_BATCH);
      if (batch.isEmpty()) {
        return;
      }
      List<String> keys = List.copyOf(batch.keySet());
      remote.delete(keys.stream().map(encoder::redisKey).toList());
      remote.publish(channel, new Invalidation(origin, keys).encode());
      pending.done(batch);
      metrics.invalidationsRetried(keys.size());
    }
  }
}
