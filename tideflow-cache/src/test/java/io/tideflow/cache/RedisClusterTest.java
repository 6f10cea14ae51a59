package io.tideflow.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tideflow.cache.codec.Codec;
import io.tideflow.cache.remote.RedisRemote;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cluster code path ({@code redis-cluster://}) against a one-node Redis Cluster. */
class RedisClusterTest {
  private static RedisProcess node;

  @BeforeAll
  static void startCluster() throws Exception {
    node = RedisProcess.startClusterNode();
    RedisClient admin = RedisClient.create(node.uri());
    try (StatefulRedisConnection<String, String> connection = admin.connect()) {
      connection.sync().clusterAddSlotsRange(Range.create(0, 16383));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> connection.sync().clusterInfo().contains("cluster_state:ok"));
    } finally {
      admin.shutdown();
    }
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void readsWritesBulkOperationsAndInvalidationsWorkOverACluster() {
    String uri = "redis-cluster://127.0.0.1:" + node.port();
    try (RedisRemote remoteA = RedisRemote.connect(TwoTierCacheRedisTest.generous(uri));
        RedisRemote remoteB = RedisRemote.connect(TwoTierCacheRedisTest.generous(uri));
        TwoTierCache<String> nodeA =
            TwoTierCache.builder("c", Codec.utf8()).remote(remoteA).build();
        TwoTierCache<String> nodeB =
            TwoTierCache.builder("c", Codec.utf8()).remote(remoteB).build()) {
      nodeA.putAll(Map.of("a", "1", "b", "2", "c", "3"), Duration.ofMinutes(1));
      assertThat(nodeB.getAll(List.of("a", "b", "c"))).hasSize(3);
      assertThat(nodeB.stats().remoteHits()).isEqualTo(3);

      nodeA.put("a", "changed");
      await().atMost(Duration.ofSeconds(5)).until(() -> "changed".equals(nodeB.getIfPresent("a")));

      assertThat(nodeB.get("loaded", key -> "L")).isEqualTo("L");
      assertThat(nodeA.getIfPresent("loaded")).isEqualTo("L");
      assertThat(nodeA.stats().remoteErrors()).isZero();
      assertThat(nodeB.stats().remoteErrors()).isZero();
    }
  }
}
