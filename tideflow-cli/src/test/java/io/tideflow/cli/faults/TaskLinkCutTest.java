package io.tideflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.store.etcd.EtcdProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The path between a client and one worker dies while both still reach the store: the worker stays
 * registered, so only the client can tell: its stream to the worker falls silent. The worker runs
 * in a network namespace of its own; nodes bind loopback only, so relays bridge it over two veth
 * links, one for the store and one for the tasks, and the test pulls only the task link.
 *
 * <pre>
 *   client (test JVM) -> 127.0.0.1:Q relay --tasks veth--> 10.213.1.2:Q relay -> w3 127.0.0.1:Q
 *   w3 -> 127.0.0.1:P relay --store veth--> 10.213.0.1:P relay (test JVM) -> etcd 127.0.0.1:P
 * </pre>
 *
 * The relays in the namespace are a JVM of their own there; those in the root namespace run in the
 * test JVM. w3 advertises 127.0.0.1:Q, which the client reaches through its relay.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TaskLinkCutTest {
  private static final Duration LEASE_TTL = Duration.ofSeconds(3);

  /**
   * As for a hung worker: the lease TTL and a second. The client gives up a stream that holds tasks
   * and hears nothing for 3 s (a worker holding tasks writes at least every 500 ms).
   */
  private static final Duration MOVE_BOUND = LEASE_TTL.plusSeconds(1);

  private NetworkLab lab;
  private EtcdProcess etcd;
  private FaultCluster cluster;

  @BeforeEach
  void start() throws Exception {
    lab = NetworkLab.create();
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
      try {
        lab.close();
      } finally {
        etcd.close();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private ChildJvm workerInTheNamespace(String name) throws IOException {
    int store = etcd.clientPort();
    int tasks = freePort();
    String storeRoot = NetworkLab.STORE_ROOT + ":" + store;
    String tasksNode = NetworkLab.TASKS_NODE + ":" + tasks;
    cluster.own(TcpRelay.start(storeRoot, "127.0.0.1:" + store));
    cluster.own(TcpRelay.start("127.0.0.1:" + tasks, tasksNode));
    ChildJvm relays =
        cluster.start(
            ChildJvm.Spec.main(
                    "relays-" + name,
                    TcpRelay.class,
                    "127.0.0.1:" + store + "=" + storeRoot,
                    tasksNode + "=127.0.0.1:" + tasks)
                .under(lab.exec()));
    relays.awaitOutput(TcpRelay.READY, Duration.ofSeconds(60));
    return cluster.start(
        cluster
            .workerSpec(name, etcd.uri(), LEASE_TTL, "--port", Integer.toString(tasks))
            .under(lab.exec()));
  }

  @Test
  void theClientStopsUsingAWorkerItCannotReachThoughTheWorkerStaysRegistered() throws Exception {
    ChildJvm w1 = cluster.worker("w1", LEASE_TTL);
    ChildJvm w2 = cluster.worker("w2", LEASE_TTL);
    ChildJvm w3 = workerInTheNamespace("w3");
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    TideflowClient client = cluster.client(metrics);
    RegistryLog registry = cluster.own(RegistryLog.start(cluster.store()));
    cluster.awaitReady(client, List.of(w1, w2, w3), Duration.ofSeconds(60));

    // 400 tasks a second of about 1 ms of cpu each for 25 s; w3 serves through the relays first.
    Load load =
        cluster.own(
            Load.start(client, "t", 400, Duration.ofSeconds(25), 20_000, Duration.ofSeconds(30)));
    await().atMost(Duration.ofSeconds(30)).until(() -> load.answeredBy("w3", 0) >= 200);

    lab.cutTasks();
    long cutAt = System.nanoTime();
    await("w3's tasks placed again after the cut")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> client.stats().retried() > 0);
    long movedAt = System.nanoTime();

    Load.Tally tally = load.await(Duration.ofSeconds(60));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> client.stats().completed() == tally.completed());
    // w3 reports its load through the store link, which still works: it runs off what it had.
    await("w3 idle")
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              NodeInfo n = client.view().node("w3");
              return n != null && n.load().inFlight() + n.load().queued() == 0;
            });
    Executions runs = cluster.executions();
    ScenarioReport report =
        ScenarioReport.of(
                "client-worker-cut",
                tally,
                runs.duplicated("t-"),
                cutAt,
                movedAt,
                "w3 in the registry after the cut: "
                    + registry.statesAfter("w3", cutAt)
                    + ", answers from w3 after the move: "
                    + load.answeredBy("w3", movedAt)
                    + ", client back-offs: "
                    + (long) metrics.counter("tideflow.client.backoffs").count()
                    + ", severed: "
                    + (long) metrics.counter("tideflow.client.severed").count()
                    + ", stalled: "
                    + (long) metrics.counter("tideflow.client.stalled").count()
                    + ", runs by node "
                    + runs.byNode())
            .print();

    assertThat(report.failed()).as("failed: " + report.failedByKind()).isZero();
    assertThat(report.completed()).isEqualTo(report.submitted());
    assertThat(Duration.ofMillis(report.movedMillis()))
        .as("moved once the stream fell silent")
        .isLessThanOrEqualTo(MOVE_BOUND);
    assertThat(report.retried()).as("w3's tasks were placed again").isPositive();
    assertThat(report.duplicated()).isLessThanOrEqualTo(report.retried());
    assertThat(runs.tasksRun("t-")).isEqualTo(report.submitted());
    assertThat(registry.statesAfter("w3", cutAt)).as("w3 still reaches the store").isEmpty();
    assertThat(FaultCluster.ready(client, "w3")).isTrue();
    assertThat(load.answeredBy("w3", movedAt)).as("nothing answered over the dead path").isZero();
    assertThat(client.stats().inFlight()).as("nothing left stuck on w3").isZero();
    assertThat(List.of(w1, w2, w3)).allMatch(ChildJvm::alive);
  }
}
