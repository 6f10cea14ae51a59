package io.tideflow.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.runtime.autoscale.DecisionLogs;
import io.tideflow.runtime.autoscale.PoolConfig;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator JVM whose every setting comes from one config file: its store, its id, and a pool
 * under the seeds' 80/20 threshold rule, started on real etcd.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConfigDrivenCoordinatorTest {
  @TempDir Path dir;

  @Test
  void aConfigFileDrivesACoordinatorWithAThresholdPolicyPool() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        ClusterStore store = ClusterStores.open(etcd.uri());
        ClusterWatcher watcher = ClusterWatcher.start(store, Duration.ofSeconds(5))) {
      Path config =
          Files.writeString(
              dir.resolve("tideflow.yaml"),
              """
              coordinator:
                store: %s
                id: from-the-file
                lease-ttl: 2s
                metrics-port: -1
                pool: web
                provider: IN_PROCESS
                min: 2
                max: 4
                preset: 80-20
                interval: 500ms
                node-lease-ttl: 2s
              """
                  .formatted(etcd.uri()));
      NodeProcess coordinator =
          NodeProcess.start("c", dir, "coordinator", "--config", config.toString());
      try {
        await()
            .atMost(Duration.ofSeconds(90))
            .failFast(() -> !coordinator.alive())
            .until(() -> readyPoolNodes(watcher).size() == 2);
        // The 80/20 rule decides over the cpu the pool samples from its nodes' reports.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    decisions(store).stream()
                        .anyMatch(
                            d -> d.policy().equals("threshold") && d.inputs().contains("cpu=")));
        Optional<KeyValue> leader = store.get(ClusterKeys.autoscaler("web")).get();
        assertThat(leader).isPresent();
        assertThat(coordinator.alive()).isTrue();
        assertThat(coordinator.output()).contains("coordinator from-the-file standing");
      } finally {
        coordinator.close();
      }
    }
  }

  private static List<NodeInfo> readyPoolNodes(ClusterWatcher watcher) {
    return watcher.view().nodes().stream()
        .filter(
            n ->
                n.state() == NodeState.READY && "web".equals(n.labels().get(PoolConfig.POOL_LABEL)))
        .toList();
  }

  private static List<DecisionRecord> decisions(ClusterStore store) throws Exception {
    Optional<KeyValue> kv = store.get(ClusterKeys.autoscaler("web")).get();
    return kv.isEmpty() ? List.of() : DecisionLogs.decode(kv.get().value());
  }
}
