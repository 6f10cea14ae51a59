package io.tideflow.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/** Fills a cache before traffic arrives: from Redis in one MGET, then from the loader. */
final class Warming {
  private Warming() {}

  static <V> WarmResult run(
      TwoTierCache<V> cache, Collection<String> keys, CacheLoader<V> loader, int parallelism) {
    List<String> absent = new ArrayList<>();
    for (String key : keys) {
      if (!cache.inNear(key)) {
        absent.add(key);
      }
    }
    Map<String, V> fromRemote = absent.isEmpty() ? Map.of() : cache.getAll(absent);
    if (loader == null) {
      return new WarmResult(fromRemote.size(), 0, Map.of());
    }
    List<String> toLoad = absent.stream().filter(k -> !fromRemote.containsKey(k)).toList();
    AtomicInteger loaded = new AtomicInteger();
    Map<String, CacheLoadException> failures = new ConcurrentHashMap<>();
    Semaphore permits = new Semaphore(parallelism);
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String key : toLoad) {
        permits.acquireUninterruptibly();
        executor.execute(
            () -> {
              try {
                cache.get(key, loader);
                loaded.incrementAndGet();
              } catch (CacheLoadException e) {
                failures.put(key, e);
              } finally {
                permits.release();
              }
            });
      }
    }
    return new WarmResult(fromRemote.size(), loaded.get(), failures);
  }
}
