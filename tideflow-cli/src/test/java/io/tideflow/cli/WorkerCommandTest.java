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
import java.io.PrintWriter;
import java.io.StringWriter;
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
          run("worker", "--store", etcd.uri(), "--id", "w1", "--metrics-port", "-1");
      String key = ClusterKeys.node("w1");
      String address = awaitAddress(store, "w1");

      assertThat(
              NodeTerminator.terminate(
                  address, leader.fencingToken(), Duration.ofSeconds(5), "scale in"))
          .succeedsWithin(Duration.ofSeconds(20));

      assertThat(exit).succeedsWithin(Duration.ofSeconds(20)).isEqualTo(ExitCodes.OK);
      assertThat(store.get(key).get(10, TimeUnit.SECONDS)).isEqualTo(Optional.empty());
    }
  }

  @Test
  void aWorkerIsRecordedAtTheHostItIsToldToAdvertise() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        ClusterStore store = ClusterStores.open(etcd.uri())) {
      Leadership leader = TestLeader.lead(store, "test");
      CompletableFuture<Integer> exit =
          run(
              "worker",
              "--store",
              etcd.uri(),
              "--id",
              "w2",
              "--bind",
              "127.0.0.1",
              "--advertise",
              "localhost",
              "--metrics-port",
              "-1");
      String address = awaitAddress(store, "w2");
      assertThat(address).matches("localhost:\\d+");

      // The coordinator reaches it at the advertised name.
      assertThat(
              NodeTerminator.terminate(
                  address, leader.fencingToken(), Duration.ofSeconds(5), "scale in"))
          .succeedsWithin(Duration.ofSeconds(20));
      assertThat(exit).succeedsWithin(Duration.ofSeconds(20)).isEqualTo(ExitCodes.OK);
    }
  }

  @Test
  void aWorkerAskedToListenBeyondLoopbackWithoutCredentialsRefusesToStartAndSaysWhy() {
    StringWriter err = new StringWriter();
    int code =
        TideflowCommand.commandLine()
            .setErr(new PrintWriter(err, true))
            .execute("worker", "--store", "memory:", "--bind", "0.0.0.0", "--metrics-port", "-1");
    assertThat(code).isEqualTo(ExitCodes.FAILED);
    assertThat(err.toString())
        .contains("bind address 0.0.0.0 is not a loopback address")
        .contains("binding beyond loopback needs");
  }

  @Test
  void metricsBeyondLoopbackWithoutHttpsAndATokenAreRefusedAndSayWhatToGive() {
    StringWriter err = new StringWriter();
    int code =
        TideflowCommand.commandLine()
            .setErr(new PrintWriter(err, true))
            .execute("worker", "--store", "memory:", "--metrics-bind", "0.0.0.0");
    assertThat(code).isEqualTo(ExitCodes.FAILED);
    assertThat(err.toString())
        .contains("metrics on 0.0.0.0 would be readable beyond loopback")
        .contains("--metrics-token-file");
  }

  private static CompletableFuture<Integer> run(String... args) {
    return CompletableFuture.supplyAsync(() -> TideflowCommand.commandLine().execute(args));
  }

  /** The address {@code id} is registered at, once it is. */
  private static String awaitAddress(ClusterStore store, String id) throws Exception {
    String key = ClusterKeys.node(id);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> store.get(key).get(10, TimeUnit.SECONDS).isPresent());
    KeyValue entry = store.get(key).get(10, TimeUnit.SECONDS).orElseThrow();
    return NodeRecords.decode(entry.key(), entry.value()).address();
  }
}
