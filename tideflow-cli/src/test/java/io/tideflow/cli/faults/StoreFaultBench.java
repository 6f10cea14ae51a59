package io.tideflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.runtime.autoscale.PoolConfig;
import io.tideflow.runtime.client.TideflowClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;

/**
 * The bench of the store-fault scenarios: two worker JVMs under a 3 s lease, a coordinator JVM
 * leading a pool of one local-process node, and a client in the test JVM sending {@value #RATE}
 * tasks a second. The targets are the same whichever way the store goes away: no task fails, no
 * worker exits, and the pool's node is neither recorded GONE nor replaced by one elsewhere.
 */
final class StoreFaultBench implements AutoCloseable {
  static final Duration LEASE_TTL = Duration.ofSeconds(3);
  static final int RATE = 200;
  static final String POOL = "p";

  /** Per attempt: longer than any outage the scenarios make, so a task may wait one out. */
  private static final Duration TASK_TIMEOUT = Duration.ofSeconds(45);

  final FaultCluster cluster;
  final ChildJvm w1;
  final ChildJvm w2;
  final ChildJvm coordinator;
  final TideflowClient client;
  final RegistryLog registry;
  private final Map<String, String> poolBefore;

  private StoreFaultBench(String storeUri) throws Exception {
    cluster = new FaultCluster(storeUri);
    try {
      w1 = cluster.worker("w1", LEASE_TTL);
      w2 = cluster.worker("w2", LEASE_TTL);
      coordinator =
          cluster.coordinator(
              "c1",
              LEASE_TTL,
              "--pool",
              POOL,
              "--min",
              "1",
              "--max",
              "1",
              "--node-lease-ttl",
              LEASE_TTL.toMillis() + "ms");
      client = cluster.client();
      registry = cluster.own(RegistryLog.start(cluster.store()));
      cluster.awaitReady(client, List.of(w1, w2), Duration.ofSeconds(60));
      try {
        await("the pool's node READY")
            .atMost(Duration.ofSeconds(60))
            .failFast("the coordinator exited", () -> !coordinator.alive())
            .until(() -> poolAddresses(client).size() == 1);
      } catch (RuntimeException e) {
        throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
      }
      poolBefore = poolAddresses(client);
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  static StoreFaultBench start(String storeUri) throws Exception {
    return new StoreFaultBench(storeUri);
  }

  /** The pool's READY nodes the client sees, by id, with their addresses. */
  static Map<String, String> poolAddresses(TideflowClient client) {
    Map<String, String> nodes = new TreeMap<>();
    for (NodeInfo n : client.view().nodes()) {
      if (POOL.equals(n.labels().get(PoolConfig.POOL_LABEL)) && n.state() == NodeState.READY) {
        nodes.put(n.id(), n.address());
      }
    }
    return nodes;
  }

  /** Starts the load: {@value #RATE} tasks a second for {@code duration}. */
  Load load(Duration duration) {
    return cluster.own(Load.start(client, "t", RATE, duration, 20_000, TASK_TIMEOUT));
  }

  /** Waits until a second of load has been answered, before the fault. */
  void awaitWarm(Load load) {
    await().atMost(Duration.ofSeconds(30)).until(() -> load.completedSoFar() >= RATE);
  }

  /**
   * Lets the store stay away until {@code outage} has passed since {@code sinceNanos}
   * (System.nanoTime), failing at once if a worker or the coordinator exits meanwhile. Returns how
   * many tasks {@code w1} and {@code w2} answered in that time.
   */
  int sitOut(Load load, long sinceNanos, Duration outage) {
    List<ChildJvm> processes = List.of(w1, w2, coordinator);
    try {
      await("the store away for " + outage)
          .atMost(outage.plusSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .failFast(
              "a process exited while the store was away",
              () -> !processes.stream().allMatch(ChildJvm::alive))
          .until(() -> System.nanoTime() - sinceNanos >= outage.toNanos());
    } catch (RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
    }
    return load.answeredBy("w1", sinceNanos) + load.answeredBy("w2", sinceNanos);
  }

  /**
   * Waits for the load, then for every process to be READY again under the store that came back,
   * prints the scenario's line and checks the targets.
   */
  ScenarioReport finish(Load load, String scenario, long faultNanos, String note)
      throws InterruptedException, TimeoutException {
    Load.Tally tally = load.await(Duration.ofSeconds(120));
    try {
      cluster.awaitReady(client, List.of(w1, w2), Duration.ofSeconds(30));
      await("the pool's node READY again")
          .atMost(Duration.ofSeconds(30))
          .until(() -> poolAddresses(client).equals(poolBefore));
    } catch (RuntimeException e) {
      // Checked, with the figures, below.
    }
    Executions runs = cluster.executions();
    String pool = poolBefore.keySet().iterator().next();
    ScenarioReport report =
        ScenarioReport.of(
                scenario,
                tally,
                runs.duplicated("t-"),
                faultNanos,
                0,
                note
                    + "; registry after the fault: w1 "
                    + registry.statesAfter("w1", faultNanos)
                    + ", w2 "
                    + registry.statesAfter("w2", faultNanos)
                    + ", "
                    + pool
                    + " "
                    + registry.statesAfter(pool, faultNanos)
                    + "; runs by node "
                    + runs.byNode())
            .print();

    String logs = "\n" + cluster.logs();
    assertThat(report.failed()).as("failed: " + report.failedByKind() + logs).isZero();
    assertThat(report.completed()).isEqualTo(report.submitted());
    assertThat(runs.tasksRun("t-")).as("every task ran").isEqualTo(report.submitted());
    assertThat(List.of(w1, w2, coordinator))
        .as("no worker or coordinator exited" + logs)
        .allMatch(ChildJvm::alive);
    assertThat(poolAddresses(client))
        .as("the pool's node is the one from before, at its address" + logs)
        .isEqualTo(poolBefore);
    assertThat(registry.statesAfter(pool, faultNanos))
        .as("the pool's node was not recorded GONE")
        .doesNotContain(NodeState.GONE.name());
    assertThat(report.duplicated())
        .as("only tasks placed again may have run twice")
        .isLessThanOrEqualTo(report.retried());
    return report;
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
