package io.tideflow.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.autoscale.OrphanGuard;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.autoscale.PoolConfig;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.DemandRecords;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tideflow coordinator --pool}: a coordinator JVM that autoscales worker JVMs it starts
 * itself (local processes first, in-process workers as the fallback provider), on real etcd. Work
 * whose demand fits no node now grows the pool; the nodes outlive their coordinator only while a
 * successor could adopt them.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AutoscalingCoordinatorTest {
  private EtcdProcess etcd;
  private ClusterStore store;
  private NodeProcess coordinator;

  @BeforeEach
  void startEtcd() throws Exception {
    etcd = EtcdProcess.start();
    store = ClusterStores.open(etcd.uri());
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (coordinator != null) {
      coordinator.close();
    }
    if (store != null) {
      store.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  private List<NodeInfo> readyPoolNodes(TideflowClient client) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (NodeInfo n : client.view().nodes()) {
      if (n.state() == NodeState.READY && "web".equals(n.labels().get(PoolConfig.POOL_LABEL))) {
        nodes.add(n);
      }
    }
    return nodes;
  }

  @Test
  void waitingWorkGrowsThePoolOfWorkerProcessesWhichEndAMinuteAfterTheirLoneCoordinator()
      throws Exception {
    Path logs = Files.createTempDirectory("tideflow-autoscaling-coordinator");
    coordinator =
        NodeProcess.start(
            "c1",
            logs,
            "coordinator",
            "--store",
            etcd.uri(),
            "--id",
            "c1",
            "--lease-ttl",
            "2s",
            "--metrics-port",
            "-1",
            "--pool",
            "web",
            "--provider",
            "LOCAL_PROCESS,IN_PROCESS",
            "--min",
            "1",
            "--max",
            "3",
            "--node-cpu",
            "1000",
            "--node-memory-mib",
            "512",
            "--target-concurrency",
            "0",
            "--interval",
            "500ms",
            "--node-lease-ttl",
            "2s");
    try (TideflowClient client =
        TideflowClient.connect(
            store,
            ClientConfig.defaults().withDemandReportInterval(Duration.ofMillis(200)),
            new SimpleMeterRegistry())) {
      // The pool's floor: one worker JVM, started by the coordinator.
      await()
          .atMost(Duration.ofSeconds(90))
          .failFast(() -> !coordinator.alive())
          .until(() -> readyPoolNodes(client).size() == 1);

      // Each task holds a whole node for a while: one runs, two wait for room, and the
      // coordinator starts a node for each (at most doubling per step).
      byte[] millis = "15000".getBytes(StandardCharsets.US_ASCII);
      List<CompletableFuture<TaskResult>> tasks = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        tasks.add(
            client.submit(
                TaskSpec.builder("sleep")
                    .payload(millis)
                    .demand(Resources.of(1000, 64L << 20))
                    .timeout(Duration.ofSeconds(120))
                    .build()));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.pendingWork().stream().mapToInt(w -> w.count()).sum() == 2);
      // Published under the client's lease within its report interval.
      String key = ClusterKeys.demand(client.id());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  store
                          .get(key)
                          .get(5, TimeUnit.SECONDS)
                          .map(kv -> DemandRecords.decode(key, kv.value()).waiting())
                          .orElse(0L)
                      == 2L);
      Captured waiting = Captured.run("status", "--store", etcd.uri());
      assertThat(waiting.exit()).as(waiting.err()).isZero();
      assertThat(waiting.out())
          .contains("work waiting for a node (pending demand):")
          .contains(client.id() + ": 2 task(s)")
          .contains("rejected by cpu");

      await()
          .atMost(Duration.ofSeconds(120))
          .failFast(() -> !coordinator.alive())
          .until(() -> readyPoolNodes(client).size() == 3);
      Set<String> ranOn = new HashSet<>();
      for (CompletableFuture<TaskResult> f : tasks) {
        ranOn.add(f.get(120, TimeUnit.SECONDS).nodeId());
      }
      assertThat(ranOn).as("each task had a node of its own").hasSize(3);
      assertThat(client.stats().failed()).isZero();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> store.get(key).get(5, TimeUnit.SECONDS).isEmpty());
      Captured status = Captured.run("status", "--store", etcd.uri());
      assertThat(status.out())
          .contains("pool web: last decisions")
          .contains("[pending-demand]")
          .contains("providers: local-process: healthy; in-process: healthy")
          .contains("no work waits for a node");

      // The coordinator dies and no other stands: its worker JVMs wait a minute for a successor to
      // adopt them, then exit, and the registry empties.
      coordinator.kill();
      await()
          .atMost(OrphanGuard.GRACE.plusSeconds(30))
          .until(() -> readyPoolNodes(client).isEmpty());
    }
  }
}
