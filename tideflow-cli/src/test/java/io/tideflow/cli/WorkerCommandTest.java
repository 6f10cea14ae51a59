package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.runtime.autoscale.NodeTerminator;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.membership.TestLeader;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How {@code tideflow worker} ends, as its exit code tells a supervisor. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WorkerCommandTest {

  @Test
  void aWorkerTheCoordinatorTerminatesExitsOk() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        ClusterStore store = ClusterStores.open(etcd.uri())) {
      Leadership leader = TestLeader.lead(store, "test");
      CompletableFuture<Integer> exit =
          CompletableFuture.supplyAsync(
              () ->
                  TideflowCommand.commandLine()
                      .execute(
                          "worker", "--store", etcd.uri(), "--id", "w1", "--metrics-port", "-1"));
      String key = ClusterKeys.node("w1");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> store.get(key).get(10, TimeUnit.SECONDS).isPresent());
      KeyValue entry = store.get(key).get(10, TimeUnit.SECONDS).orElseThrow();
      String address = NodeRecords.decode(entry.key(), entry.value()).address();

      assertThat(
              NodeTerminator.terminate(
                  address, leader.fencingToken(), Duration.ofSeconds(5), "scale in"))
          .succeedsWithin(Duration.ofSeconds(20));

      assertThat(exit).succeedsWithin(Duration.ofSeconds(20)).isEqualTo(ExitCodes.OK);
      assertThat(store.get(key).get(10, TimeUnit.SECONDS)).isEqualTo(Optional.empty());
    }
  }
}
