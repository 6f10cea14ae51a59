package io.tideflow.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.cache.codec.Codec;
import io.tideflow.cache.codec.SampleJson;
import io.tideflow.cache.near.NearPolicy;
import io.tideflow.cache.remote.RedisRemote;
import io.tideflow.cache.remote.RemoteOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two cache instances (two "nodes") over one real redis-server. */
class TwoTierCacheRedisTest {
  private static RedisProcess redis;
  private static RedisClient probeClient;
  private static StatefulRedisConnection<String, String> probeConnection;
  private static RedisCommands<String, String> probe;

  private RedisRemote remoteA;
  private RedisRemote remoteB;
  private TwoTierCache<String> nodeA;
  private TwoTierCache<String> nodeB;
  private SimpleMeterRegistry registryA;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisProcess.start();
    probeClient = RedisClient.create(redis.uri());
    probeConnection = probeClient.connect();
    probe = probeConnection.sync();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (probeClient != null) {
      probeConnection.close();
      probeClient.shutdown();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void twoNodes() {
    probe.flushall();
    remoteA = RedisRemote.connect(generous(redis.uri()));
    remoteB = RedisRemote.connect(generous(redis.uri()));
    registryA = new SimpleMeterRegistry();
    nodeA = cache(remoteA).meterRegistry(registryA).build();
    nodeB = cache(remoteB).build();
  }

  @AfterEach
  void closeNodes() {
    nodeA.close();
    nodeB.close();
    remoteA.close();
    remoteB.close();
  }

  /**
   * A timeout no healthy loopback call reaches even on a loaded CI machine with a cold JVM: these
   * tests are about behaviour with Redis up (RedisOutageTest covers timeouts).
   */
  static RemoteOptions generous(String uri) {
    return RemoteOptions.defaults(uri).withCommandTimeout(Duration.ofSeconds(5));
  }

  private static CacheBuilder<String> cache(RedisRemote remote) {
    return TwoTierCache.builder("orders", Codec.utf8()).remote(remote);
  }

  @Test
  void aValuePutOnOneNodeIsReadFromRedisOnAnother() {
    nodeA.put("o1", "pending");

    assertThat(nodeB.getIfPresent("o1")).isEqualTo("pending");
    assertThat(nodeB.stats().remoteHits()).isEqualTo(1);
    // A's invalidation may reach B after B's first read began; then B does not keep that read in
    // near (it might be stale), and a later read fills it.
    await().until(() -> "pending".equals(nodeB.getIfPresent("o1")) && nodeB.stats().nearHits() > 0);
  }

  @Test
  void aChangeOnOneNodeDropsTheOtherNodesNearCopy() {
    nodeA.put("o1", "pending");
    assertThat(nodeB.getIfPresent("o1")).isEqualTo("pending");

    nodeA.put("o1", "shipped");

    await().atMost(Duration.ofSeconds(5)).until(() -> "shipped".equals(nodeB.getIfPresent("o1")));

    nodeA.delete("o1");
    await().atMost(Duration.ofSeconds(5)).until(() -> nodeB.getIfPresent("o1") == null);
  }

  @Test
  void theEntryTtlIsCarriedToRedisAndExpiresThere() {
    nodeA.put("short", "s", Duration.ofMillis(300));
    nodeA.put("long", "l", Duration.ofMinutes(5));

    long pttl = probe.pttl("orders:short");
    assertThat(pttl).isBetween(1L, 300L);
    assertThat(probe.pttl("orders:long")).isGreaterThan(Duration.ofMinutes(4).toMillis());

    await().atMost(Duration.ofSeconds(5)).until(() -> probe.exists("orders:short") == 0);
    assertThat(nodeB.getIfPresent("short")).isNull();
    assertThat(nodeA.getIfPresent("short")).as("the near copy expired with it").isNull();
  }

  @Test
  void concurrentLoadsOnTwoNodesCallTheLoaderOnce() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch bothWaiting = new CountDownLatch(1);
    CacheLoader<String> loader =
        key -> {
          loads.incrementAndGet();
          // Hold the lock long enough for the other node to find it taken.
          assertThat(bothWaiting.await(10, TimeUnit.SECONDS)).isTrue();
          return "loaded-" + key;
        };
    List<Future<String>> results = new ArrayList<>();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 4; i++) {
        results.add(executor.submit(() -> nodeA.get("k", loader)));
        results.add(executor.submit(() -> nodeB.get("k", loader)));
      }
      await().until(() -> loads.get() == 1 && probe.exists("orders#lock:k") == 1);
      bothWaiting.countDown();
      for (Future<String> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("loaded-k");
      }
    }
    assertThat(loads).hasValue(1);
    assertThat(probe.exists("orders#lock:k")).as("the lock is released").isZero();
  }

  @Test
  void aValueOverTheSizeLimitIsRejectedAndTheOldValueKept() {
    TwoTierCache<String> small = cache(remoteA).limits(1024, 100).build();
    try {
      small.put("big", "old");

      assertThatThrownBy(() -> small.put("big", "x".repeat(101)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'big'")
          .hasMessageContaining("101 bytes serialized")
          .hasMessageContaining("limit of 100 (maxValueBytes)");

      assertThat(small.getIfPresent("big")).isEqualTo("old");
      assertThat(nodeB.getIfPresent("big")).isEqualTo("old");
    } finally {
      small.close();
    }
  }

  @Test
  void bulkPutAndGetSpanBothTiers() {
    nodeA.putAll(Map.of("a", "1", "b", "2", "c", "3"), Duration.ofMinutes(1));

    Map<String, String> found = nodeB.getAll(List.of("a", "b", "c", "missing"));

    assertThat(found).containsOnly(Map.entry("a", "1"), Map.entry("b", "2"), Map.entry("c", "3"));
    assertThat(nodeB.stats().remoteHits()).isEqualTo(3);
    assertThat(nodeB.stats().remoteMisses()).isEqualTo(1);
  }

  @Test
  void warmingCopiesRedisIntoNearAndLoadsTheRest() {
    nodeB.put("marker", "old");
    nodeA.putAll(Map.of("w1", "one", "w2", "two"), Duration.ofMinutes(1));
    nodeA.put("marker", "new");
    // Invalidations arrive in order: once B has dropped its copy of the marker, A's invalidations
    // of w1 and w2 have arrived too and cannot drop what B is about to warm.
    await().atMost(Duration.ofSeconds(5)).until(() -> "new".equals(nodeB.getIfPresent("marker")));
    AtomicInteger loads = new AtomicInteger();

    WarmResult result =
        nodeB.warm(
            List.of("w1", "w2", "w3"),
            key -> {
              loads.incrementAndGet();
              return "loaded-" + key;
            });

    assertThat(result.fromRemote()).isEqualTo(2);
    assertThat(result.loaded()).isEqualTo(1);
    assertThat(loads).hasValue(1);
    long remoteHitsBefore = nodeB.stats().remoteHits();
    assertThat(nodeB.getAll(List.of("w1", "w2", "w3"))).hasSize(3);
    assertThat(nodeB.stats().remoteHits())
        .as("all three now near hits")
        .isEqualTo(remoteHitsBefore);
    assertThat(probe.get("orders:w3")).as("loaded values reach Redis").isNotNull();
  }

  @Test
  void largeJsonValuesAreStoredCompressedAndTheRatioReported() {
    String json = SampleJson.orders(30);

    nodeA.put("page", json);

    assertThat(nodeB.getIfPresent("page")).isEqualTo(json);
    assertThat(nodeA.stats().compressionRatio()).isGreaterThan(1.5);
    assertThat(registryA.get("tideflow.cache.compression.ratio").gauge().value())
        .isGreaterThan(1.5);
    assertThat(probe.strlen("orders:page")).isLessThan(json.length() * 6L / 10);
  }

  @Test
  void lruNearTierWorksOverRedisToo() {
    TwoTierCache<String> lru =
        cache(remoteA).near(NearPolicy.LRU, 2, Duration.ofMinutes(1)).build();
    try {
      lru.put("a", "1");
      lru.put("b", "2");
      lru.put("c", "3");

      assertThat(lru.stats().evictions()).isEqualTo(1);
      assertThat(lru.getIfPresent("a")).as("evicted from near, still in Redis").isEqualTo("1");
    } finally {
      lru.close();
    }
  }
}
