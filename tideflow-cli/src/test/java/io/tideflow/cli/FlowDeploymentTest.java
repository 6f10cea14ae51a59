package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.coordinator.FlowPlacer;
import io.tideflow.runtime.flow.FlowRecords;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code deploy}, {@code flows} and {@code undeploy} against a cluster on a real etcd. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FlowDeploymentTest {
  private static final String FLOW =
      """
      name: small
      processes:
        - {name: source, type: sequence, parallelism: 1, cpu: 100, outputs: [out], properties: {count: 0}}
        - {name: sink, type: discard, parallelism: 2, cpu: 100, inputs: [in]}
      connections:
        - {from: source.out, to: sink.in, routing: round_robin, capacity: 64}
      """;

  @Test
  void deploysListsAndUndeploysAFlow(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("small.yaml");
    Files.writeString(file, FLOW);
    Duration ttl = Duration.ofSeconds(2);
    try (EtcdProcess etcd = EtcdProcess.start();
        ClusterStore store = ClusterStores.open(etcd.uri());
        Coordinator coordinator =
            Coordinator.start("c1", store, ttl, Duration.ofSeconds(5), new SimpleMeterRegistry());
        FlowPlacer placer = FlowPlacer.start(store, coordinator, Duration.ofSeconds(5), 0.03);
        WorkerNode w1 =
            WorkerNode.start(
                WorkerConfig.defaults("w1").withLeaseTtl(ttl),
                store,
                TaskHandlers.builtins(),
                new SimpleMeterRegistry())) {
      await().until(coordinator::isLeader);
      String uri = etcd.uri();

      CommandLineTest.Run deployed = CommandLineTest.run("deploy", file.toString(), "--store", uri);
      assertThat(deployed.exit()).as(deployed.out() + deployed.err()).isZero();
      assertThat(deployed.out())
          .contains("flow small deployed: 2 processes, 3 instances")
          .contains("placed (epoch 1")
          .contains("w1: sink#0 sink#1 source#0");
      // The worker runs it: its sinks take the source's messages.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  w1.flows().executions().stream()
                          .flatMap(e -> e.stats().stream())
                          .filter(s -> s.instance().startsWith("sink"))
                          .mapToLong(s -> s.received())
                          .sum()
                      > 1000);

      CommandLineTest.Run again = CommandLineTest.run("deploy", file.toString(), "--store", uri);
      assertThat(again.exit()).isEqualTo(ExitCodes.USAGE);
      assertThat(again.err()).contains("flow small is deployed already: give --replace");

      CommandLineTest.Run listed = CommandLineTest.run("flows", "--store", uri);
      assertThat(listed.out())
          .contains("flow small: source×1 sink×2")
          .contains("epoch 1 (first placement)");

      // The worker reports its instances: flows --health shows each one's time split and rates.
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(CommandLineTest.run("flows", "--health", "--store", uri).out())
                      .contains("flow small: RUNNING")
                      .contains("  w1: 3 instances, 300 millicores")
                      .containsPattern("source#0: (BUSY|IDLE|BACKPRESSURED), busy \\d+%")
                      .doesNotContain("no report yet"));

      assertThat(CommandLineTest.run("status", "--store", uri).out())
          .contains("flow small: source×1 sink×2")
          .contains("w1: sink#0 sink#1 source#0");

      // An instance failed (its node says so): the worker stops the flow, and flows says why.
      long generation =
          FlowRecords.decode(
                  store.get(ClusterKeys.flow("small")).get(5, TimeUnit.SECONDS).get().value())
              .deployedAtMillis();
      store
          .put(
              ClusterKeys.flowFailure("small"),
              FlowRecords.encode(
                  new FlowRecords.Failure(
                      "small",
                      generation,
                      "sink#1",
                      "w1",
                      "java.lang.IllegalStateException: full",
                      1)),
              0)
          .get(5, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> w1.flows().executions().isEmpty());
      assertThat(CommandLineTest.run("flows", "--store", uri).out())
          .contains(
              "FAILED: instance sink#1 on w1: java.lang.IllegalStateException: full (every instance"
                  + " stopped; deploy --replace to run it again)");

      CommandLineTest.Run undeployed = CommandLineTest.run("undeploy", "small", "--store", uri);
      assertThat(undeployed.exit()).isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> placementGone(store));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> store.get(ClusterKeys.flowFailure("small")).get(5, TimeUnit.SECONDS).isEmpty());
      assertThat(CommandLineTest.run("undeploy", "small", "--store", uri).err())
          .contains("no flow small is deployed");
    }
  }

  @Test
  void refusesAFlowThatDoesNotCheckAndWritesNothing(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, FLOW.replace("to: sink.in", "to: sink.input"));
    try (EtcdProcess etcd = EtcdProcess.start();
        ClusterStore store = ClusterStores.open(etcd.uri())) {
      CommandLineTest.Run r = CommandLineTest.run("deploy", file.toString(), "--store", etcd.uri());
      assertThat(r.exit()).isNotZero();
      assertThat(r.err()).contains("sink has no input port input");
      assertThat(store.get(ClusterKeys.flow("small")).get(5, TimeUnit.SECONDS)).isEmpty();
    }
  }

  private static boolean placementGone(ClusterStore store) throws Exception {
    return store.get(ClusterKeys.placement("small")).get(5, TimeUnit.SECONDS).isEmpty();
  }
}
