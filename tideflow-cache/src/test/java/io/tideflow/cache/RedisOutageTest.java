package io.tideflow.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tideflow.cache.codec.Codec;
import io.tideflow.cache.remote.CircuitBreaker;
import io.tideflow.cache.remote.RedisRemote;
import io.tideflow.cache.remote.RemoteOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Redis killed in the middle of use and started again: the cache degrades, then recovers. */
class RedisOutageTest {
  private static RedisProcess redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  private static RemoteOptions options(String uri) {
    return RemoteOptions.defaults(uri)
        .withCommandTimeout(Duration.ofMillis(200))
        .withOpenDuration(Duration.ofMillis(200));
  }

  @Test
  void servesFromNearAndLoaderWhileRedisIsDownAndRecoversWhenItReturns() throws Exception {
    try (RedisRemote remoteA = RedisRemote.connect(options(redis.uri()));
        RedisRemote remoteB = RedisRemote.connect(options(redis.uri()));
        TwoTierCache<String> nodeA =
            TwoTierCache.builder("outage", Codec.utf8()).remote(remoteA).build();
        TwoTierCache<String> nodeB =
            TwoTierCache.builder("outage", Codec.utf8()).remote(remoteB).build()) {
      nodeA.put("kept", "before");
      AtomicInteger loads = new AtomicInteger();
      CacheLoader<String> loader = key -> "loaded-" + key + "-" + loads.incrementAndGet();

      redis.kill();

      // Nothing below may throw: the outage stays inside the cache.
      assertThat(nodeA.getIfPresent("kept")).as("near copy still served").isEqualTo("before");
      assertThat(nodeA.getIfPresent("never-cached")).isNull();
      assertThat(nodeA.get("fresh", loader)).isEqualTo("loaded-fresh-1");
      assertThat(nodeA.get("fresh", loader))
          .as("kept in near meanwhile")
          .isEqualTo("loaded-fresh-1");
      nodeA.put("written-during-outage", "x");
      nodeA.putAll(Map.of("p", "q"), Duration.ofMinutes(1));
      nodeA.delete("kept-elsewhere");
      assertThat(nodeA.getAll(List.of("kept", "absent"))).containsOnlyKeys("kept");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                nodeA.getIfPresent("probe-" + System.nanoTime());
                return remoteA.breakerState() == CircuitBreaker.State.OPEN;
              });
      assertThat(nodeA.stats().remoteErrors()).isPositive();
      assertThat(remoteA.stats().rejected() + remoteA.stats().errors()).isPositive();

      redis.startAgain();

      // Back: a write on B reaches A through Redis (the restarted Redis is empty).
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                nodeB.put("after", "recovered");
                return "recovered".equals(nodeA.getIfPresent("after"));
              });
      assertThat(remoteA.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
      // Invalidations were missed during the outage: A's near tier was cleared on recovery.
      await().atMost(Duration.ofSeconds(5)).until(() -> nodeA.getIfPresent("kept") == null);
      // And a change on B is seen on A again through the invalidation channel.
      nodeB.put("after", "changed");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> "changed".equals(nodeA.getIfPresent("after")));
    }
  }

  @Test
  void aRedisThatStopsAnsweringTimesOutOpensTheBreakerAndIsUsedAgainAfterwards() throws Exception {
    RedisClient probeClient = RedisClient.create(redis.uri());
    try (RedisRemote remoteA = RedisRemote.connect(options(redis.uri()));
        RedisRemote remoteB = RedisRemote.connect(options(redis.uri()));
        TwoTierCache<String> nodeA =
            TwoTierCache.builder("slow", Codec.utf8()).remote(remoteA).build();
        TwoTierCache<String> nodeB =
            TwoTierCache.builder("slow", Codec.utf8()).remote(remoteB).build();
        StatefulRedisConnection<String, String> probe = probeClient.connect()) {
      nodeA.put("k", "v");

      // Redis holds every client's commands for 2 s: alive, but slower than the 200 ms timeout.
      probe.sync().clientPause(2_000);

      for (int i = 0; i < 3; i++) {
        assertThat(nodeB.getIfPresent("k")).as("a timeout is a miss, not an exception").isNull();
      }
      assertThat(remoteB.stats().timeouts()).isEqualTo(3);
      assertThat(remoteB.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
      assertThat(nodeB.get("k", key -> "from-loader")).isEqualTo("from-loader");

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                nodeB.getIfPresent("other"); // a call the breaker may let through as its probe
                return remoteB.breakerState() == CircuitBreaker.State.CLOSED;
              });
      nodeA.put("k", "v2");
      await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(nodeB.getIfPresent("k")));
    } finally {
      probeClient.shutdown();
    }
  }

  @Test
  void startsWithoutRedisAndConnectsWhenItAppears() throws Exception {
    RedisProcess late = RedisProcess.start();
    String uri = late.uri();
    late.kill();
    try (RedisRemote remote = RedisRemote.connect(options(uri));
        TwoTierCache<String> cache =
            TwoTierCache.builder("late", Codec.utf8()).remote(remote).build()) {
      assertThat(cache.get("k", key -> "v")).isEqualTo("v");
      cache.put("k2", "v2");

      late.startAgain();

      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                cache.put("k3", "v3");
                return remote.breakerState() == CircuitBreaker.State.CLOSED
                    && remote.stats().calls() > 0;
              });
    } finally {
      late.close();
    }
  }
}
