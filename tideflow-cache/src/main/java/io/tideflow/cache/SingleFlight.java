package io.tideflow.cache;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One load per key at a time on this node: the first caller for a key runs the load on its own
 * thread, callers arriving meanwhile wait for its result (at most {@code wait}) instead of loading
 * again.
 */
final class SingleFlight<V> {
  private final ConcurrentHashMap<String, CompletableFuture<V>> flights = new ConcurrentHashMap<>();
  private final String namespace;
  private final long waitNanos;

  SingleFlight(String namespace, Duration wait) {
    this.namespace = namespace;
    this.waitNanos = wait.toNanos();
  }

  /** The result of {@code load} for {@code key}, run by this caller or by one already running. */
  V run(String key, Supplier<V> load) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> running = flights.putIfAbsent(key, mine);
    if (running != null) {
      return join(key, running);
    }
    try {
      V value = load.get();
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      flights.remove(key, mine);
    }
  }

  /** How many loads are running now. */
  int inFlight() {
    return flights.size();
  }

  private V join(String key, CompletableFuture<V> running) {
    try {
      return running.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      // Wrapped again so that this caller's stack shows where it waited.
      throw new CacheLoadException(namespace, key, "the concurrent load failed", e.getCause());
    } catch (TimeoutException e) {
      throw new CacheLoadException(
          namespace,
          key,
          "no result from the concurrent load within " + Duration.ofNanos(waitNanos),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheLoadException(namespace, key, "interrupted while waiting", e);
    }
  }
}
