package io.tideflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.store.etcd.EtcdProcess;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client process SIGKILLed with thousands of tasks in flight: the workers must not care. They
 * stay registered and READY, run off or drop what the dead client sent without holding on to it
 * (their in-flight gauge returns to 0), and serve the next client as if nothing happened.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClientKillTest {
  private static final Duration LEASE_TTL = Duration.ofSeconds(3);
  private static final int DEAD_CLIENT_TASKS = 4_000;

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
  void workersStayReadyAndServeTheNextClientWhenAClientIsKilledWithTasksInFlight()
      throws Exception {
    List<ChildJvm> workers =
        List.of(
            cluster.worker("w1", LEASE_TTL),
            cluster.worker("w2", LEASE_TTL),
            cluster.worker("w3", LEASE_TTL));
    TideflowClient next = cluster.client();
    RegistryLog registry = cluster.own(RegistryLog.start(cluster.store()));
    cluster.awaitReady(next, workers, Duration.ofSeconds(60));

    // About 1 ms of cpu each, all sent at once: seconds of work queued on the workers.
    ChildJvm doomed =
        cluster.start(
            ChildJvm.Spec.main(
                "client-c1",
                LoadClientMain.class,
                etcd.uri(),
                "c1",
                Integer.toString(DEAD_CLIENT_TASKS),
                "20000"));
    doomed.awaitOutput(LoadClientMain.SUBMITTED, Duration.ofSeconds(60));
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.executions().runs("c1-") >= 500);
    doomed.kill();
    long killedAt = System.nanoTime();
    long ranAtKill = cluster.executions().runs("c1-");
    assertThat(ranAtKill).as("killed mid-run").isLessThan(DEAD_CLIENT_TASKS);

    await("workers idle after the client died")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        // A worker whose two cores are busy with the dead client's backlog may answer a scrape
        // after its 5 s timeout; the next poll asks again, and the bound above still holds.
        .ignoreExceptionsInstanceOf(HttpTimeoutException.class)
        .until(() -> inFlight(workers) == 0);
    long idleAt = System.nanoTime();
    Executions afterKill = cluster.executions();
    assertThat(workers).allMatch(ChildJvm::alive);
    assertThat(workers).allMatch(w -> FaultCluster.ready(next, w.name()));

    Load load =
        cluster.own(
            Load.start(next, "c2", 500, Duration.ofSeconds(3), 20_000, Duration.ofSeconds(30)));
    Load.Tally tally = load.await(Duration.ofSeconds(60));
    Executions runs = cluster.executions();
    ScenarioReport report =
        ScenarioReport.of(
                "client-sigkill",
                tally,
                runs.duplicated("c2-"),
                killedAt,
                0,
                "dead client c1: "
                    + DEAD_CLIENT_TASKS
                    + " sent, "
                    + ranAtKill
                    + " ran before the kill, "
                    + (afterKill.runs("c1-") - ranAtKill)
                    + " after it (results dropped), "
                    + runs.duplicated("c1-")
                    + " twice; workers idle "
                    + (idleAt - killedAt) / 1_000_000
                    + " ms after the kill")
            .print();

    assertThat(report.failed()).as("failed: " + report.failedByKind()).isZero();
    assertThat(report.completed()).isEqualTo(report.submitted());
    assertThat(report.retried()).as("the next client's tasks needed one attempt each").isZero();
    assertThat(report.duplicated()).isZero();
    assertThat(runs.tasksRun("c2-")).isEqualTo(report.submitted());
    assertThat(runs.duplicated("c1-")).as("nobody retried the dead client's tasks").isZero();
    assertThat(runs.runs("c1-")).as("no more of them ran").isEqualTo(afterKill.runs("c1-"));
    assertThat(workers).allMatch(ChildJvm::alive);
    assertThat(workers).allMatch(w -> FaultCluster.ready(next, w.name()));
    assertThat(workers)
        .as("every worker stayed READY from the kill on")
        .allSatisfy(w -> assertThat(registry.statesAfter(w.name(), killedAt)).isEmpty());
    assertThat(inFlight(workers)).isZero();
  }

  private double inFlight(List<ChildJvm> workers) throws Exception {
    double sum = 0;
    for (ChildJvm w : workers) {
      sum += cluster.inFlight(w);
    }
    return sum;
  }
}
