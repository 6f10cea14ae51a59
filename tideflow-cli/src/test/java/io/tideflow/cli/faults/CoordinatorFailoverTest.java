package io.tideflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.NodeState;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.etcd.EtcdProcess;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leading coordinator of two killed (SIGKILL) while its pool of two local-process nodes serves
 * load. The standby must lead within two lease TTLs and adopt the pool as it is: its nodes (child
 * processes of the dead leader) keep serving, keep their ids and addresses and never leave the
 * registry, and no task fails.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CoordinatorFailoverTest {
  private static final Duration LEASE_TTL = Duration.ofSeconds(3);
  private static final String[] POOL = {
    "--pool", StoreFaultBench.POOL, "--min", "2", "--max", "2", "--node-lease-ttl", "3000ms"
  };

  @Test
  void aStandbyTakesOverThePoolWithoutReplacingItsNodesAndNoTaskFails() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        FaultCluster cluster = new FaultCluster(etcd.uri())) {
      ChildJvm c1 = cluster.coordinator("c1", LEASE_TTL, POOL);
      String first = awaitLeader(cluster.store(), Duration.ofSeconds(60)).orElseThrow();
      ChildJvm c2 = cluster.coordinator("c2", LEASE_TTL, POOL);
      c2.awaitOutput("standing", Duration.ofSeconds(60));
      ChildJvm leader = first.equals("c1") ? c1 : c2;
      ChildJvm standby = leader == c1 ? c2 : c1;
      TideflowClient client = cluster.client();
      RegistryLog registry = cluster.own(RegistryLog.start(cluster.store()));
      await("the pool's two nodes READY")
          .atMost(Duration.ofSeconds(60))
          .until(() -> StoreFaultBench.poolAddresses(client).size() == 2);
      Map<String, String> before = StoreFaultBench.poolAddresses(client);

      Load load =
          cluster.own(
              Load.start(client, "t", 200, Duration.ofSeconds(25), 20_000, Duration.ofSeconds(30)));
      await().atMost(Duration.ofSeconds(30)).until(() -> load.completedSoFar() >= 1_000);

      leader.kill();
      long killedAt = System.nanoTime();
      await("the standby leads")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  awaitLeader(cluster.store(), Duration.ofSeconds(5))
                      .filter(standby.name()::equals)
                      .isPresent());
      long tookOverMillis = (System.nanoTime() - killedAt) / 1_000_000;
      standby.awaitOutput("adopted", Duration.ofSeconds(30));

      Load.Tally tally = load.await(Duration.ofSeconds(90));
      Executions runs = cluster.executions();
      ScenarioReport report =
          ScenarioReport.of(
                  "coordinator-failover",
                  tally,
                  runs.duplicated("t-"),
                  killedAt,
                  0,
                  "killed leader "
                      + leader.name()
                      + "; "
                      + standby.name()
                      + " led after "
                      + tookOverMillis
                      + " ms; pool before "
                      + before
                      + ", after "
                      + StoreFaultBench.poolAddresses(client)
                      + "; registry after the kill: "
                      + before.keySet().stream()
                          .map(id -> id + " " + registry.statesAfter(id, killedAt))
                          .toList())
              .print();

      String logs = "\n" + cluster.logs();
      assertThat(report.failed()).as("failed: " + report.failedByKind() + logs).isZero();
      assertThat(report.completed()).isEqualTo(report.submitted());
      assertThat(Duration.ofMillis(tookOverMillis))
          .as("the standby led within two lease TTLs")
          .isLessThanOrEqualTo(LEASE_TTL.multipliedBy(2));
      assertThat(standby.alive()).as("the standby runs" + logs).isTrue();
      assertThat(StoreFaultBench.poolAddresses(client))
          .as("the same nodes, at the same addresses: adopted, not replaced" + logs)
          .isEqualTo(before);
      for (String id : before.keySet()) {
        assertThat(registry.statesAfter(id, killedAt))
            .as(id + " never left the registry")
            .doesNotContain(RegistryLog.ABSENT, NodeState.GONE.name());
      }
    }
  }

  private static Optional<String> awaitLeader(ClusterStore store, Duration atMost)
      throws Exception {
    return await("a coordinator leads")
        .atMost(atMost)
        .until(
            () ->
                store
                    .leader(ClusterKeys.COORDINATOR_ELECTION)
                    .get(5, TimeUnit.SECONDS)
                    .map(ClusterStore.LeaderInfo::candidate),
            Optional::isPresent);
  }
}
