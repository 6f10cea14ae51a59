package io.tideflow.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.autoscale.DecisionLogs;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real etcd, worker and coordinator JVMs as child processes, SIGKILL: the cluster as it runs across
 * machines, on loopback.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MultiProcessClusterTest {
  /** The coordinators' lease: failover must take at most twice this. */
  private static final String LEASE_TTL = "2s";

  /**
   * The workers' lease: a crash is noticed through the broken connection, not the lease, so the
   * workers keep a roomier TTL that CPU-bound work on 2 cores cannot starve.
   */
  private static final String WORKER_LEASE_TTL = "5s";

  private final List<NodeProcess> children = new ArrayList<>();
  private EtcdProcess etcd;
  private ClusterStore store;
  private Path logs;

  @BeforeEach
  void startEtcd() throws Exception {
    etcd = EtcdProcess.start();
    store = ClusterStores.open(etcd.uri());
    logs = Files.createTempDirectory("tideflow-multiprocess");
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (NodeProcess child : children) {
      child.close();
    }
    if (store != null) {
      store.close();
    }
    if (etcd != null) {
      etcd.close();
    }
    assertThat(children).noneMatch(NodeProcess::alive);
  }

  private NodeProcess worker(String id) {
    NodeProcess p =
        NodeProcess.start(
            id,
            logs,
            "worker",
            "--store",
            etcd.uri(),
            "--id",
            id,
            "--lease-ttl",
            WORKER_LEASE_TTL,
            "--metrics-port",
            "-1");
    children.add(p);
    return p;
  }

  private NodeProcess coordinator(String id) {
    NodeProcess p =
        NodeProcess.start(
            id,
            logs,
            "coordinator",
            "--store",
            etcd.uri(),
            "--id",
            id,
            "--lease-ttl",
            LEASE_TTL,
            "--metrics-port",
            "-1");
    children.add(p);
    return p;
  }

  @Test
  void tenThousandTasksAllCompleteWhenAWorkerIsKilledMidRun() throws Exception {
    NodeProcess w1 = worker("w1");
    worker("w2");
    worker("w3");
    try (TideflowClient client =
        TideflowClient.connect(store, ClientConfig.defaults(), new SimpleMeterRegistry())) {
      await()
          .atMost(Duration.ofSeconds(60))
          .failFast(() -> !w1.alive())
          .until(() -> client.view().countByState().get(NodeState.READY) == 3);

      int n = 10_000;
      int work = 20_000; // about 1 ms of cpu each: the run lasts seconds, not a blink
      String expected = Long.toString(TaskHandlers.countPrimesBelow(work));
      byte[] payload = Integer.toString(work).getBytes(StandardCharsets.US_ASCII);
      AtomicInteger done = new AtomicInteger();
      List<CompletableFuture<TaskResult>> futures = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        CompletableFuture<TaskResult> f =
            client.submit(TaskSpec.builder("primes").payload(payload).build());
        f.whenComplete((r, e) -> done.incrementAndGet());
        futures.add(f);
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= n / 10);
      assertThat(done.get()).as("killed mid-run, not after").isLessThan(n);
      int doneAtKill = done.get();
      w1.kill();

      Map<String, Integer> byNode = new TreeMap<>();
      for (CompletableFuture<TaskResult> f : futures) {
        TaskResult r = f.get(60, TimeUnit.SECONDS);
        assertThat(new String(r.output(), StandardCharsets.US_ASCII)).isEqualTo(expected);
        byNode.merge(r.nodeId(), 1, Integer::sum);
      }
      // Counters move just after the future completes, on the transport thread.
      await().until(() -> client.stats().completed() == n);
      TideflowClient.Stats stats = client.stats();
      System.out.println(
          "results by node " + byNode + ", done at kill " + doneAtKill + ", " + stats);
      assertThat(stats.failed()).isZero();
      assertThat(stats.retried()).as("tasks in flight on the killed worker").isPositive();
      // The lease of the killed worker expires; the registry forgets it.
      await().atMost(Duration.ofSeconds(15)).until(() -> client.view().node("w1") == null);
    }
  }

  @Test
  void anotherCoordinatorLeadsWithinTwoLeaseTtlsWhenTheLeaderIsKilled() throws Exception {
    NodeProcess c1 = coordinator("c1");
    NodeProcess c2 = coordinator("c2");
    Optional<ClusterStore.LeaderInfo> first =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> store.leader(ClusterKeys.COORDINATOR_ELECTION).get(15, TimeUnit.SECONDS),
                Optional::isPresent);
    NodeProcess leader = first.get().candidate().equals("c1") ? c1 : c2;
    NodeProcess standby = leader == c1 ? c2 : c1;
    // The standby must be campaigning before the leader dies.
    await().atMost(Duration.ofSeconds(60)).until(() -> standby.output().contains("standing"));

    long killedAt = System.nanoTime();
    leader.kill();
    Optional<ClusterStore.LeaderInfo> next =
        await()
            .atMost(Duration.ofSeconds(4))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> store.leader(ClusterKeys.COORDINATOR_ELECTION).get(15, TimeUnit.SECONDS),
                l -> l.isPresent() && l.get().candidate().equals(standby.name()));
    long tookMillis = (System.nanoTime() - killedAt) / 1_000_000;
    assertThat(tookMillis).as("failover time").isLessThanOrEqualTo(4_000);
    assertThat(next.get().fencingToken()).isGreaterThan(first.get().fencingToken());
  }

  @Test
  void submitAndStatusTalkToARunningCluster() throws Exception {
    NodeProcess w = worker("w1");
    coordinator("c1");
    await()
        .atMost(Duration.ofSeconds(60))
        .failFast(() -> !w.alive())
        .until(() -> w.output().contains("READY"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> store.leader(ClusterKeys.COORDINATOR_ELECTION).get(15, TimeUnit.SECONDS),
            Optional::isPresent);

    Captured submit =
        Captured.run("submit", "--store", etcd.uri(), "--handler", "primes", "--payload", "100");
    assertThat(submit.exit()).as(submit.err()).isZero();
    assertThat(submit.out().trim()).isEqualTo("25");
    assertThat(submit.err()).contains("ran on w1 in 1 attempt(s)");

    // Scatter/gather: one task per line, results in the lines' order, and their sum.
    Path lines =
        Files.writeString(Files.createTempFile("tideflow-each", ".txt"), "10\n100\n1000\n");
    Captured each =
        Captured.run(
            "submit",
            "--store",
            etcd.uri(),
            "--handler",
            "primes",
            "--each",
            lines.toString(),
            "--reduce",
            "sum");
    assertThat(each.exit()).as(each.err()).isZero();
    assertThat(each.out().lines().toList()).containsExactly("4", "25", "168", "sum 197");
    assertThat(each.err()).contains("3 of 3 tasks completed");
    Files.writeString(lines, "10\nnot a number\n1000\n");
    Captured partial =
        Captured.run(
            "submit",
            "--store",
            etcd.uri(),
            "--handler",
            "primes",
            "--each",
            lines.toString(),
            "--keep-going");
    assertThat(partial.exit()).isEqualTo(1);
    assertThat(partial.out().lines().toList()).containsExactly("4", "168");
    assertThat(partial.err()).contains("line 2 failed: ").contains("2 of 3 tasks completed");

    Captured unknown = Captured.run("submit", "--store", etcd.uri(), "--handler", "nope");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("UNKNOWN_HANDLER: unknown handler 'nope'");

    // Written as a pool's leader would write it (the leader's own writes are fenced).
    store
        .put(
            ClusterKeys.autoscaler("web"),
            DecisionLogs.encode(
                List.of(
                    new DecisionRecord(
                        Instant.parse("2026-11-24T10:00:00Z"),
                        "web",
                        3,
                        3,
                        "target-tracking",
                        "concurrency=2.000",
                        "wants 2, held at 3 by the stabilization window"))),
            0)
        .get(15, TimeUnit.SECONDS);
    Captured status = Captured.run("status", "--store", etcd.uri());
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out())
        .contains("coordinator: c1 (fencing token")
        .contains("registry watches of the leader:")
        .contains("coordinator: following (c1), 0 restart(s)")
        .containsPattern("w1\\s+READY\\s+127\\.0\\.0\\.1:\\d+")
        .contains("1 live node(s), 0 gone")
        .contains("pool web: last decisions")
        .contains("3 -> 3  [target-tracking] wants 2, held at 3 by the stabilization window");
  }
}
