package io.tideflow.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.tideflow.cache.codec.Codec;
import io.tideflow.cache.remote.CircuitBreaker;
import io.tideflow.cache.remote.RedisRemote;
import io.tideflow.cache.remote.RemoteOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deletions made while Redis cannot be reached (paused, so it keeps its data, as behind a
 * partition): none is lost, on this node, in Redis or on other nodes.
 */
class DeleteDuringOutageTest {
  private static final Duration RECOVERY = Duration.ofSeconds(15);

  private static RedisProcess redis;
  private static RedisClient probeClient;
  private static StatefulRedisConnection<String, String> probeConnection;
  private static RedisCommands<String, String> probe;

  private final List<AutoCloseable> opened = new ArrayList<>();
  private RedisRemote remoteA;
  private RedisRemote remoteB;

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
  void twoRemotes() {
    probe.flushall();
    remoteA =
        open(
            RedisRemote.connect(
                RemoteOptions.defaults(redis.uri())
                    .withCommandTimeout(Duration.ofMillis(200))
                    .withOpenDuration(Duration.ofMillis(200))));
    remoteB = open(RedisRemote.connect(RemoteOptions.defaults(redis.uri())));
  }

  @AfterEach
  void closeAll() throws Exception {
    // A test that failed while Redis was paused must not leave it paused for the next one.
    redis.resume();
    for (AutoCloseable closeable : opened.reversed()) {
      closeable.close();
    }
  }

  @Test
  void aKeyDeletedWhileTheBreakerIsOpenNeverComesBackOnAnyNode() throws Exception {
    TwoTierCache<String> nodeA = node("deletes", remoteA, 10_000);
    TwoTierCache<String> nodeB = node("deletes", remoteB, 10_000);
    nodeA.put("k", "old");
    assertThat(nodeB.getIfPresent("k")).as("B holds a near copy").isEqualTo("old");

    redis.pause();
    openBreaker(nodeA, remoteA);
    nodeA.delete("k"); // not even sent: the breaker is open

    assertThat(nodeA.getIfPresent("k")).isNull();
    assertThat(nodeA.stats().pendingInvalidations()).isOne();

    redis.resume();

    List<String> seenOnA = new CopyOnWriteArrayList<>();
    await()
        .atMost(RECOVERY)
        .untilAsserted(
            () -> {
              seenOnA.add(String.valueOf(nodeA.getIfPresent("k")));
              assertThat(probe.exists("deletes:k")).as("deleted in Redis").isZero();
              assertThat(nodeB.getIfPresent("k")).as("B's near copy dropped").isNull();
            });
    assertThat(seenOnA).as("A never served the deleted value").containsOnly("null");
    assertThat(nodeA.stats().pendingInvalidations()).isZero();
    assertThat(nodeA.stats().invalidationsRetried()).isOne();
    assertThat(nodeB.get("k", key -> "fresh")).isEqualTo("fresh");
    assertThat(nodeA.get("k", key -> "not called: B's load is in Redis")).isEqualTo("fresh");
  }

  @Test
  void aDeleteThatTimesOutIsRetriedUntilOtherNodesDropTheirCopies() throws Exception {
    TwoTierCache<String> nodeA = node("timeouts", remoteA, 10_000);
    TwoTierCache<String> nodeB = node("timeouts", remoteB, 10_000);
    nodeA.put("k", "old");
    assertThat(nodeB.getIfPresent("k")).isEqualTo("old");

    redis.pause();
    // Sent, but unanswered: Redis runs the DEL when it resumes, yet B never hears of it from it.
    nodeA.delete("k");
    assertThat(remoteA.stats().timeouts()).isPositive();
    assertThat(nodeA.stats().pendingInvalidations()).isOne();

    redis.resume();

    await()
        .atMost(RECOVERY)
        .untilAsserted(
            () -> {
              assertThat(nodeA.getIfPresent("k")).isNull();
              assertThat(probe.exists("timeouts:k")).isZero();
              assertThat(nodeB.getIfPresent("k")).isNull();
              assertThat(nodeA.stats().pendingInvalidations()).isZero();
            });
  }

  @Test
  void aPutThatFailsDuringAnOutageDoesNotLetTheValueItReplacedBack() throws Exception {
    TwoTierCache<String> nodeA = node("puts", remoteA, 10_000);
    TwoTierCache<String> nodeB = node("puts", remoteB, 10_000);
    nodeA.put("k", "old");
    assertThat(nodeB.getIfPresent("k")).isEqualTo("old");

    redis.pause();
    openBreaker(nodeA, remoteA);
    nodeA.put("k", "new");
    assertThat(nodeA.getIfPresent("k")).isEqualTo("new");

    redis.resume();

    List<String> seenOnA = new CopyOnWriteArrayList<>();
    await()
        .atMost(RECOVERY)
        .untilAsserted(
            () -> {
              seenOnA.add(String.valueOf(nodeA.getIfPresent("k")));
              assertThat(probe.exists("puts:k")).isZero();
              assertThat(nodeB.getIfPresent("k")).isNull();
            });
    assertThat(seenOnA).doesNotContain("old");
  }

  @Test
  void aPutThatSucceedsAfterAFailedOneIsNotDeletedByTheRetry() throws Exception {
    // One timeout is below the breaker's threshold, and the retry waits the open duration (3 s):
    // the next put, with a second to reach the resumed Redis, does so before the retry is due.
    RedisRemote remote =
        open(
            RedisRemote.connect(
                RemoteOptions.defaults(redis.uri())
                    .withCommandTimeout(Duration.ofSeconds(1))
                    .withOpenDuration(Duration.ofSeconds(3))));
    TwoTierCache<String> nodeA = node("rewrite", remote, 10_000);
    TwoTierCache<String> nodeB = node("rewrite", remoteB, 10_000);

    redis.pause();
    nodeA.put("k", "lost");
    assertThat(nodeA.stats().pendingInvalidations()).isEqualTo(1);
    redis.resume();
    nodeA.put("k", "kept");

    assertThat(remote.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(nodeA.stats().pendingInvalidations()).isZero();
    // Past the time the retry was due: the value stays, in Redis and for other nodes.
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(() -> "kept".equals(nodeB.getIfPresent("k")) && probe.exists("rewrite:k") == 1);
  }

  @Test
  void moreFailedDeletesThanTheLimitFlushTheWholeNamespaceWhenRedisReturns() throws Exception {
    TwoTierCache<String> nodeA = node("flood", remoteA, 2);
    TwoTierCache<String> nodeB = node("flood", remoteB, 2);
    List<String> deleted = List.of("k1", "k2", "k3");
    for (String key : deleted) {
      nodeA.put(key, "old-" + key);
      assertThat(nodeB.getIfPresent(key)).isEqualTo("old-" + key);
    }
    nodeA.put("kept", "v");
    assertThat(nodeB.getIfPresent("kept")).isEqualTo("v");

    redis.pause();
    openBreaker(nodeA, remoteA);
    nodeA.deleteAll(deleted);

    assertThat(nodeA.stats().pendingOverflows()).isOne();
    assertThat(nodeA.stats().pendingInvalidations()).as("the limit plus one").isEqualTo(3);

    redis.resume();

    List<String> seenOnA = new CopyOnWriteArrayList<>();
    await()
        .atMost(RECOVERY)
        .untilAsserted(
            () -> {
              deleted.forEach(key -> seenOnA.add(String.valueOf(nodeA.getIfPresent(key))));
              assertThat(probe.keys("flood:*")).as("the namespace flushed").isEmpty();
              for (String key : deleted) {
                assertThat(nodeB.getIfPresent(key)).isNull();
              }
              // The documented price: B cleared its whole near tier, so 'kept' is a miss now.
              assertThat(nodeB.getIfPresent("kept")).isNull();
            });
    assertThat(seenOnA).containsOnly("null");
    assertThat(nodeA.stats().pendingInvalidations()).isZero();
  }

  private TwoTierCache<String> node(String namespace, RedisRemote remote, int maxPending) {
    return open(
        TwoTierCache.builder(namespace, Codec.utf8())
            .remote(remote)
            .maxPendingInvalidations(maxPending)
            .build());
  }

  private static void openBreaker(TwoTierCache<String> node, RedisRemote remote) {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              node.getIfPresent("probe-" + System.nanoTime());
              return remote.breakerState() == CircuitBreaker.State.OPEN;
            });
  }

  private <T extends AutoCloseable> T open(T closeable) {
    opened.add(closeable);
    return closeable;
  }
}
