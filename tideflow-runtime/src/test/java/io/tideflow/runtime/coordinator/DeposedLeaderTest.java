package io.tideflow.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.model.NodeState;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.autoscale.DecisionLogs;
import io.tideflow.runtime.autoscale.NodeDrainer;
import io.tideflow.runtime.autoscale.ProviderHealths;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.provider.ProviderHealth;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.Leadership;
import io.tideflow.store.Lease;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A leader paused past its lease, replaced, then resumed: every action it takes late is refused, by
 * the workers (drains) and by the store (its writes), while its successor's go through.
 */
class DeposedLeaderTest {
  private static final long WAIT_SECONDS = 15;

  private final EmbeddedCluster cluster = new EmbeddedCluster(TaskHandlers.builtins());
  private final MemoryClusterStore store = cluster.store;

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void everyLateActionOfAPausedAndDeposedLeaderIsRejected() throws Exception {
    WorkerNode worker = cluster.startWorker("w1");
    Lease firstLease = store.grantLease(Duration.ofSeconds(1)).get(WAIT_SECONDS, TimeUnit.SECONDS);
    Leadership first =
        store
            .campaign(ClusterKeys.COORDINATOR_ELECTION, "first", firstLease)
            .get(WAIT_SECONDS, TimeUnit.SECONDS);
    CompletableFuture<Leadership> standby =
        store.campaign(
            ClusterKeys.COORDINATOR_ELECTION,
            "second",
            store.grantLease(Duration.ofMinutes(5)).get(WAIT_SECONDS, TimeUnit.SECONDS));

    // The first leader pauses: no keep-alives reach the store, its lease ends, the standby leads.
    store.suspendKeepAlive(firstLease.id());
    Leadership second = standby.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
    assertThat(second.put(ClusterKeys.autoscaler("web"), DecisionLogs.encode(List.of())))
        .succeedsWithin(Duration.ofSeconds(WAIT_SECONDS))
        .isEqualTo(true);

    // It resumes and, before it hears that it was deposed, acts on what it last knew.
    assertThat(drain(worker, first.fencingToken()))
        .isEqualTo(
            "fencing token "
                + first.fencingToken()
                + " is not the current coordinator's (token "
                + second.fencingToken()
                + ")");
    assertThat(DecisionLogs.publish(first, "web", List.of(aDecision())))
        .succeedsWithin(Duration.ofSeconds(WAIT_SECONDS))
        .isEqualTo(false);
    assertThat(
            ProviderHealths.publish(
                first, "web", Map.of("in-process", new ProviderHealth(false, 3, "stale"))))
        .succeedsWithin(Duration.ofSeconds(WAIT_SECONDS))
        .isEqualTo(false);
    assertThat(
            first.put(
                ClusterKeys.gone("w1"),
                NodeRecords.encode(worker.info().withState(NodeState.GONE))))
        .succeedsWithin(Duration.ofSeconds(WAIT_SECONDS))
        .isEqualTo(false);

    assertThat(worker.info().state()).isEqualTo(NodeState.READY);
    assertThat(store.get(ClusterKeys.gone("w1")).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEmpty();
    assertThat(
            DecisionLogs.decode(
                store
                    .get(ClusterKeys.autoscaler("web"))
                    .get(WAIT_SECONDS, TimeUnit.SECONDS)
                    .orElseThrow()
                    .value()))
        .as("the successor's log, untouched")
        .isEmpty();
    assertThat(store.get(ClusterKeys.providers("web")).get(WAIT_SECONDS, TimeUnit.SECONDS))
        .isEmpty();

    // The successor's drain goes through.
    assertThat(
            NodeDrainer.drain(worker.address(), Duration.ofSeconds(1), second.fencingToken())
                .get(WAIT_SECONDS, TimeUnit.SECONDS)
                .getDrained())
        .isTrue();
    assertThat(worker.info().state()).isEqualTo(NodeState.DRAINING);
  }

  private static String drain(WorkerNode worker, long token) throws Exception {
    try {
      NodeDrainer.drain(worker.address(), Duration.ofSeconds(1), token)
          .get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
      Status status = ((StatusRuntimeException) e.getCause()).getStatus();
      assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      return status.getDescription();
    }
    throw new AssertionError("the drain with token " + token + " was carried out");
  }

  private static DecisionRecord aDecision() {
    return new DecisionRecord(
        Instant.parse("2026-12-02T10:00:00Z"), "web", 3, 1, "target-tracking", "stale", "stale");
  }
}
