package io.tideflow.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.cache.codec.Codec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The cache without Redis: the near tier and the loader alone. */
class NearOnlyCacheTest {
  private final FakeTicker ticker = new FakeTicker();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TwoTierCache<String> cache =
      TwoTierCache.builder("near-only", Codec.utf8())
          .ticker(ticker)
          .meterRegistry(registry)
          .build();

  @Test
  void concurrentCallersForOneKeyShareOneLoad() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    CacheLoader<String> slowLoader =
        key -> {
          loads.incrementAndGet();
          assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
          return "value-of-" + key;
        };
    List<Future<String>> results = new ArrayList<>();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 16; i++) {
        results.add(executor.submit(() -> cache.get("k", slowLoader)));
      }
      org.awaitility.Awaitility.await().until(() -> loads.get() == 1);
      release.countDown();
      for (Future<String> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("value-of-k");
      }
    }
    assertThat(loads).hasValue(1);
    assertThat(cache.stats().loads()).isEqualTo(1);
  }

  @Test
  void aLoadThatStartedBeforeAPutLeavesThePutInPlace() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CacheLoader<String> slowLoader =
        key -> {
          started.countDown();
          assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
          return "loaded-before-the-put";
        };
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<String> load = executor.submit(() -> cache.get("k", slowLoader));
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      cache.put("k", "put-during-the-load");
      release.countDown();

      assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("loaded-before-the-put");
    }
    assertThat(cache.getIfPresent("k")).isEqualTo("put-during-the-load");
    assertThat(cache.stats().loadsDiscarded()).isOne();
  }

  @Test
  void aLoaderFailureReachesEveryCallerWrappedWithTheKey() {
    assertThatThrownBy(
            () ->
                cache.get(
                    "broken",
                    key -> {
                      throw new IllegalStateException("database down");
                    }))
        .isInstanceOf(CacheLoadException.class)
        .hasMessageContaining("'broken'")
        .hasMessageContaining("near-only")
        .hasRootCauseMessage("database down");
    assertThat(cache.getIfPresent("broken")).isNull();
    assertThat(cache.stats().loadFailures()).isEqualTo(1);
  }

  @Test
  void aLoaderReturningNullIsAFailureAndCachesNothing() {
    assertThatThrownBy(() -> cache.get("none", key -> null))
        .isInstanceOf(CacheLoadException.class)
        .hasMessageContaining("returned null");
  }

  @Test
  void perEntryTtlExpiresTheNearCopy() {
    cache.put("short", "s", Duration.ofSeconds(2));
    cache.put("long", "l", Duration.ofMinutes(2));

    ticker.advance(Duration.ofSeconds(3));

    assertThat(cache.getIfPresent("short")).isNull();
    assertThat(cache.getIfPresent("long")).isEqualTo("l");
  }

  @Test
  void bulkPutGetAndDelete() {
    cache.putAll(Map.of("a", "1", "b", "2", "c", "3"), Duration.ofMinutes(1));

    assertThat(cache.getAll(List.of("a", "b", "x")))
        .containsOnly(Map.entry("a", "1"), Map.entry("b", "2"));

    cache.deleteAll(List.of("a", "b"));
    assertThat(cache.getAll(List.of("a", "b", "c"))).containsOnlyKeys("c");
  }

  @Test
  void warmingLoadsMissingKeysAndReportsFailures() {
    WarmResult result =
        cache.warm(
            List.of("w1", "w2", "bad"),
            key -> {
              if (key.equals("bad")) {
                throw new IllegalArgumentException("no such row");
              }
              return key.toUpperCase();
            });

    assertThat(result.loaded()).isEqualTo(2);
    assertThat(result.failures()).containsOnlyKeys("bad");
    assertThat(cache.getIfPresent("w1")).isEqualTo("W1");
  }

  @Test
  void rejectsAnOversizedKeyNamingItsSizeAndLimit() {
    String key = "k".repeat(2000);
    assertThatThrownBy(() -> cache.put(key, "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2000 bytes")
        .hasMessageContaining("limit of 1024 (maxKeyBytes)");
  }

  @Test
  void countsHitsAndMissesPerTierInMicrometer() {
    cache.put("a", "1");
    cache.getIfPresent("a");
    cache.getIfPresent("a");
    cache.getIfPresent("missing");

    assertThat(
            registry
                .get("tideflow.cache.gets")
                .tags("tier", "near", "result", "hit")
                .functionCounter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get("tideflow.cache.gets")
                .tags("tier", "near", "result", "miss")
                .functionCounter()
                .count())
        .isEqualTo(1);
    assertThat(registry.get("tideflow.cache.hit.ratio").gauge().value()).isEqualTo(2.0 / 3);
    assertThat(registry.get("tideflow.cache.writes").functionCounter().count()).isEqualTo(1);
  }
}
