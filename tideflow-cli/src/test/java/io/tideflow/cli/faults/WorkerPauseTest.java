package io.tideflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.store.etcd.EtcdProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker JVM frozen by SIGSTOP under load: its sockets stay open and its kernel still ACKs, so
 * only its lease and the silence of its stream (no results, no heartbeat) can tell the client. Its
 * tasks must move within the lease TTL and a second, none may fail, and the worker must not come
 * back as if nothing happened.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WorkerPauseTest {
  private static final Duration LEASE_TTL = Duration.ofSeconds(3);

  /** How long after the lease ends the move may take: the registry watch and one client tick. */
  private static final Duration MOVE_SLACK = Duration.ofSeconds(1);

  private EtcdProcess etcd;
  private FaultCluster cluster;

  @BeforeEach
  void start() throws Exception {
    etcd = EtcdProcess.start();
    cluster = new FaultCluster(etcd.uri());
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      etcd.close();
    }
  }

  @Test
  void aStoppedWorkersTasksMoveWithinItsLeaseTtlAndNoneFail() throws Exception {
    ChildJvm w1 = cluster.worker("w1", LEASE_TTL);
    ChildJvm w2 = cluster.worker("w2", LEASE_TTL);
    ChildJvm w3 = cluster.worker("w3", LEASE_TTL);
    TideflowClient client = cluster.client();
    RegistryLog registry = cluster.own(RegistryLog.start(cluster.store()));
    cluster.awaitReady(client, List.of(w1, w2, w3), Duration.ofSeconds(60));

    // 500 tasks a second of about 1 ms of cpu each, for 10 s: the fault comes 2 s in.
    Load load =
        cluster.own(
            Load.start(client, "t", 500, Duration.ofSeconds(10), 20_000, Duration.ofSeconds(30)));
    await().atMost(Duration.ofSeconds(30)).until(() -> load.completedSoFar() >= 1_000);
    assertThat(client.stats().retried()).as("no retries before the fault").isZero();

    w1.pause();
    long stoppedAt = System.nanoTime();
    await("tasks placed again after w1 stopped")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> client.stats().retried() > 0);
    long movedAt = System.nanoTime();
    // Whichever comes first moves the tasks: the lease ending in etcd, or the stream's silence
    // (3 s). The lease ends either way.
    await("w1 left the registry")
        .atMost(LEASE_TTL.multipliedBy(3))
        .until(() -> !FaultCluster.ready(client, "w1"));

    Load.Tally tally = load.await(Duration.ofSeconds(60));
    // Counters move just after the futures complete, on the transport thread.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> client.stats().completed() == tally.completed());

    // Woken up, w1 hears from etcd that its lease is gone and rejoins under a new one.
    w1.resume();
    await("w1 rejoined")
        .atMost(Duration.ofSeconds(20))
        .until(() -> FaultCluster.ready(client, "w1"));
    long rejoinedMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
    Executions runs = cluster.executions();
    ScenarioReport report =
        ScenarioReport.of(
                "worker-sigstop",
                tally,
                runs.duplicated("t-"),
                stoppedAt,
                movedAt,
                "w1 left the registry "
                    + (registry.firstSeen("w1", RegistryLog.ABSENT, stoppedAt) - stoppedAt)
                        / 1_000_000
                    + " ms after SIGSTOP; SIGCONT after the load: READY again "
                    + rejoinedMillis
                    + " ms after SIGSTOP, runs by node "
                    + runs.byNode())
            .print();

    assertThat(report.failed()).as("failed: " + report.failedByKind()).isZero();
    assertThat(report.completed()).isEqualTo(report.submitted());
    assertThat(Duration.ofMillis(report.movedMillis()))
        .as("moved within the lease TTL and a second")
        .isLessThanOrEqualTo(LEASE_TTL.plus(MOVE_SLACK));
    assertThat(report.retried()).as("w1's tasks were placed again").isPositive();
    assertThat(client.stats().retried()).isEqualTo(report.retried());
    assertThat(runs.tasksRun("t-")).as("every task ran").isEqualTo(report.submitted());
    assertThat(report.duplicated())
        .as("only moved tasks may have run twice")
        .isLessThanOrEqualTo(report.retried());
    assertThat(w1.alive()).as("w1 rejoins, it does not exit\n" + w1.output()).isTrue();
    assertThat(registry.statesAfter("w1", stoppedAt))
        .as("w1 left the registry while stopped and came back READY")
        .startsWith(RegistryLog.ABSENT)
        .endsWith(io.tideflow.core.model.NodeState.READY.name());
    assertThat(registry.statesAfter("w2", stoppedAt)).as("w2 stayed READY").isEmpty();
    assertThat(registry.statesAfter("w3", stoppedAt)).as("w3 stayed READY").isEmpty();
    assertThat(List.of(w2, w3)).allMatch(ChildJvm::alive);
  }
}
