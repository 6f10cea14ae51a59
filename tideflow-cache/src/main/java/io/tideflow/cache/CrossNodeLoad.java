package io.tideflow.cache;

import io.tideflow.cache.remote.RedisRemote;
import io.tideflow.cache.remote.RemoteUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One load per key across nodes: after a miss in both tiers, the node that takes the key's Redis
 * lock ({@code SET NX PX}) loads and writes the value; the others wait for it to appear (woken by
 * its invalidation message, re-reading Redis every few milliseconds in case it was missed), and
 * load themselves if it does not appear within {@code lockWait}. The lock is released by a
 * compare-and-delete, so a node whose lock expired never frees another's. Without Redis every node
 * loads for itself.
 */
final class CrossNodeLoad<V> {
  private static final long MIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final TwoTierCache<V> cache;
  private final RedisRemote remote;
  private final EntryEncoder<V> encoder;
  private final Duration lockTtl;
  private final long lockWaitNanos;
  private final long pollNanos;
  private final String origin;
  private final KeySignals signals = new KeySignals();

  CrossNodeLoad(
      TwoTierCache<V> cache,
      RedisRemote remote,
      EntryEncoder<V> encoder,
      CacheSettings settings,
      String origin) {
    this.cache = cache;
    this.remote = remote;
    this.encoder = encoder;
    this.lockTtl = settings.lockTtl();
    this.lockWaitNanos = settings.lockWait().toNanos();
    this.pollNanos = Math.clamp(lockWaitNanos / 20, MIN_POLL_NANOS, MAX_POLL_NANOS);
    this.origin = origin;
  }

  /** The value of {@code key}: from Redis, from another node's load, or loaded here. */
  V load(String key, CacheLoader<V> loader) {
    V cached = cache.readRemote(key);
    if (cached != null) {
      return cached;
    }
    String lockKey = encoder.lockKey(key);
    String token = origin + "/" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    boolean locked;
    try {
      locked = remote.tryLock(lockKey, token, lockTtl);
    } catch (RemoteUnavailableException e) {
      cache.remoteUnavailable(e);
      return cache.loadAndStore(key, loader, true);
    }
    if (locked) {
      try {
        return cache.loadAndStore(key, loader, true);
      } finally {
        unlock(lockKey, token);
      }
    }
    V theirs = awaitOtherNode(key);
    return theirs != null ? theirs : cache.loadAndStore(key, loader, true);
  }

  /** Another node changed {@code key}: wake a wait for it. */
  void signal(String key) {
    signals.signal(key);
  }

  private V awaitOtherNode(String key) {
    long deadline = System.nanoTime() + lockWaitNanos;
    while (true) {
      CompletableFuture<Void> signal = signals.register(key);
      try {
        V value = cache.readRemote(key);
        if (value != null) {
          return value;
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return null;
        }
        signal.get(Math.min(remaining, pollNanos), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        // Expected: no message within the poll interval; read Redis again.
      } catch (ExecutionException e) {
        throw new IllegalStateException("signals are only ever completed normally", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CacheLoadException(
            cache.settings().namespace(), key, "interrupted waiting for another node's load", e);
      } finally {
        signals.unregister(key, signal);
      }
    }
  }

  private void unlock(String lockKey, String token) {
    try {
      remote.unlock(lockKey, token);
    } catch (RemoteUnavailableException e) {
      // The lock then lapses after lockTtl; until then other nodes wait at most lockWait.
      cache.remoteUnavailable(e);
    }
  }
}
