package io.tideflow.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The three-member fixture itself: a leader to find, to kill, and a quorum to lose and regain. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EtcdClusterTest {

  @Test
  void aStoreOnThreeMembersOutlivesItsLeaderAndWaitsOutALostQuorum() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.start(3);
        ClusterStore store = ClusterStores.open(etcd.uri())) {
      store.put("k", bytes("1"), 0).get(10, TimeUnit.SECONDS);

      EtcdCluster.Member first = etcd.leader();
      first.kill();
      EtcdCluster.Member second = etcd.awaitLeader(Duration.ofSeconds(10));
      assertThat(second).isNotSameAs(first);
      store.put("k", bytes("2"), 0).get(10, TimeUnit.SECONDS);

      first.restart();
      // Two of three frozen: no quorum, no leader the live member can name.
      EtcdCluster.Member other =
          etcd.members().stream().filter(m -> m != first && m != second).findFirst().orElseThrow();
      etcd.awaitWritable(Duration.ofSeconds(30));
      second.pause();
      other.pause();
      assertThat(etcd.leaderNow()).isEmpty();
      second.resume();
      other.resume();
      etcd.awaitWritable(Duration.ofSeconds(30));
      assertThat(
              new String(
                  store.get("k").get(10, TimeUnit.SECONDS).orElseThrow().value(),
                  StandardCharsets.UTF_8))
          .isEqualTo("2");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
