package io.tideflow.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.tideflow.cache.codec.Codec;
import io.tideflow.cache.near.NearPolicy;
import io.tideflow.cache.remote.RedisRemote;
import io.tideflow.cache.remote.RemoteOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A load that started before a write and ends after it: its older value is handed to its caller but
 * cached nowhere, on one real redis-server.
 */
class LoadRaceTest {
  private static RedisProcess redis;
  private static RedisClient probeClient;
  private static StatefulRedisConnection<String, String> probeConnection;
  private static RedisCommands<String, String> probe;

  private RedisRemote remoteA;
  private RedisRemote remoteB;
  private TwoTierCache<String> nodeA;
  private TwoTierCache<String> nodeB;
  private TwoTierCache<String> redisOnly;

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
    // Generous timeouts: the races here are made by latches, not by a slow machine.
    RemoteOptions options =
        RemoteOptions.defaults(redis.uri()).withCommandTimeout(Duration.ofSeconds(2));
    remoteA = RedisRemote.connect(options);
    remoteB = RedisRemote.connect(options);
    nodeA = TwoTierCache.builder("race", Codec.utf8()).remote(remoteA).build();
    nodeB = TwoTierCache.builder("race", Codec.utf8()).remote(remoteB).build();
    // Reads Redis every time: shows what Redis holds, decoded.
    redisOnly =
        TwoTierCache.builder("race", Codec.utf8())
            .remote(remoteB)
            .near(NearPolicy.NONE, 1, Duration.ofMinutes(1))
            .build();
  }

  @AfterEach
  void closeNodes() {
    redisOnly.close();
    nodeA.close();
    nodeB.close();
    remoteA.close();
    remoteB.close();
  }

  @Test
  void aLoadThatStartedBeforeAPutNeverOverwritesThePutInEitherTier() throws Exception {
    BlockedLoad load = BlockedLoad.start(nodeA, "k", "loaded-before-the-put");

    nodeA.put("k", "put-during-the-load");
    String returned = load.finish();

    assertThat(returned)
        .as("the caller still gets its own load")
        .isEqualTo("loaded-before-the-put");
    assertThat(nodeA.getIfPresent("k")).as("near tier").isEqualTo("put-during-the-load");
    assertThat(redisOnly.getIfPresent("k")).as("Redis").isEqualTo("put-during-the-load");
    assertThat(nodeA.stats().loadsDiscarded()).isOne();
  }

  @Test
  void aLoadThatStartedBeforeAPutOnAnotherNodeNeverOverwritesIt() throws Exception {
    BlockedLoad load = BlockedLoad.start(nodeA, "k", "loaded-before-the-put");

    nodeB.put("k", "put-on-B");
    load.finish();

    // Whether B's invalidation reached A before the load ended or not, the SET NX kept B's value.
    assertThat(redisOnly.getIfPresent("k")).as("Redis").isEqualTo("put-on-B");
    assertThat(nodeA.getIfPresent("k")).isEqualTo("put-on-B");
    assertThat(nodeB.getIfPresent("k")).isEqualTo("put-on-B");
    assertThat(nodeA.stats().loadsDiscarded()).isOne();
  }

  @Test
  void aLoadThatStartedBeforeADeleteCachesNothing() throws Exception {
    nodeA.put("k", "old");
    nodeA.delete("k");
    BlockedLoad load = BlockedLoad.start(nodeA, "k", "loaded-before-the-delete");

    nodeA.delete("k");
    load.finish();

    assertThat(nodeA.getIfPresent("k")).isNull();
    assertThat(probe.exists("race:k")).isZero();
    assertThat(nodeA.stats().loadsDiscarded()).isOne();
  }

  @Test
  void aLoadWithNoWriteMeanwhileIsCachedInBothTiers() throws Exception {
    BlockedLoad load = BlockedLoad.start(nodeA, "k", "loaded");

    load.finish();

    assertThat(nodeA.getIfPresent("k")).isEqualTo("loaded");
    assertThat(redisOnly.getIfPresent("k")).isEqualTo("loaded");
    assertThat(nodeA.stats().loadsDiscarded()).isZero();
  }

  /** A {@code get} on its own thread whose loader waits for {@link #finish}. */
  private record BlockedLoad(
      CompletableFuture<String> result, CountDownLatch started, CountDownLatch release) {

    static BlockedLoad start(TwoTierCache<String> node, String key, String value)
        throws InterruptedException {
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CacheLoader<String> loader =
          k -> {
            started.countDown();
            if (!release.await(10, TimeUnit.SECONDS)) {
              throw new IllegalStateException("the test never released the load");
            }
            return value;
          };
      CompletableFuture<String> result =
          CompletableFuture.supplyAsync(
              () -> node.get(key, loader), task -> Thread.ofVirtual().start(task));
      assertThat(started.await(10, TimeUnit.SECONDS)).as("the loader started").isTrue();
      return new BlockedLoad(result, started, release);
    }

    String finish() throws Exception {
      release.countDown();
      return result.get(10, TimeUnit.SECONDS);
    }
  }
}
