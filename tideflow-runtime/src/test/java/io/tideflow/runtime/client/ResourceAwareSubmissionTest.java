package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.AffinityTerm;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.PlacementRequest;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.core.placement.PlacementPolicy;
import io.tideflow.core.placement.PolicyPlacement;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.DemandRecords;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskHandler;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.KeyValue;
import io.tideflow.store.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tasks with a resource demand hold it on their node while they run: the client never places more
 * than a node's capacity, work that fits nowhere waits (and is published as pending demand), and
 * the richer constraints of a {@link PlacementRequest} are honoured on the real path.
 */
class ResourceAwareSubmissionTest {
  private static final Resources NODE = Resources.of(2000, 4L << 30);
  private static final Resources ONE_CORE = Resources.of(1000, 1L << 30);

  /** A handler that blocks until {@code gate} opens, counting how many run at once. */
  private static TaskHandler gated(CountDownLatch gate, AtomicInteger running, AtomicInteger peak) {
    return payload -> {
      peak.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("gate never opened");
        }
      } finally {
        running.decrementAndGet();
      }
      return payload;
    };
  }

  @Test
  void demandIsHeldWhileTasksRunAndWorkThatFitsNowhereWaitsAsPendingDemand() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    TaskHandlers handlers = TaskHandlers.builtins().with("hold", gated(gate, running, peak));
    try (EmbeddedCluster cluster = new EmbeddedCluster(handlers)) {
      cluster.startWorker("a", c -> c.withCapacity(NODE));
      cluster.startWorker("b", c -> c.withCapacity(NODE));
      TideflowClient client =
          cluster.client(ClientConfig.defaults().withDemandReportInterval(Duration.ofMillis(100)));
      await().until(() -> client.view().countByState().get(NodeState.READY) == 2);

      List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        futures.add(
            client.submit(
                TaskSpec.builder("hold").demand(ONE_CORE).timeout(Duration.ofSeconds(30)).build()));
      }
      // Two cores on each of two nodes: four run, two wait for room.
      await().until(() -> running.get() == 4);
      await().until(() -> client.pendingWork().stream().mapToInt(PendingWork::count).sum() == 2);
      PendingWork waiting = client.pendingWork().get(0);
      assertThat(waiting.demand()).isEqualTo(ONE_CORE);
      assertThat(waiting.reason()).isEqualTo("no node fits: 2 node(s), 2 rejected by cpu");
      assertThat(client.allocations().of("a").allocated().cpuMillis()).isEqualTo(2000);
      assertThat(client.allocations().of("b").allocated().cpuMillis()).isEqualTo(2000);

      // The autoscaler and status read it from the store, under the client's lease.
      String key = ClusterKeys.demand(client.id());
      await().until(() -> cluster.store.get(key).get().isPresent());
      KeyValue kv = cluster.store.get(key).get().orElseThrow();
      DemandRecords.Report report = DemandRecords.decode(kv.key(), kv.value());
      assertThat(report.clientId()).isEqualTo(client.id());
      assertThat(report.waiting()).isEqualTo(2);
      assertThat(report.work().get(0).demand()).isEqualTo(ONE_CORE);
      assertThat(kv.leaseId()).isNotZero();

      gate.countDown();
      for (CompletableFuture<TaskResult> f : futures) {
        assertThat(f.get(30, TimeUnit.SECONDS).nodeId()).isIn("a", "b");
      }
      assertThat(peak.get()).isEqualTo(4);
      assertThat(client.pendingWork()).isEmpty();
      assertThat(client.allocations().nodesInUse()).isZero();
      // Nothing waits any more: the record goes.
      await().until(() -> cluster.store.get(key).get().isEmpty());
    }
  }

  @Test
  void workLargerThanEveryNodeFailsAtItsTimeoutNamingTheResource() throws Exception {
    try (EmbeddedCluster cluster = new EmbeddedCluster(TaskHandlers.builtins())) {
      cluster.startWorker("a", c -> c.withCapacity(NODE));
      ManualClock clock = new ManualClock();
      TideflowClient client = cluster.client(ClientConfig.defaults().withClock(clock));
      await().until(() -> client.view().countByState().get(NodeState.READY) == 1);
      CompletableFuture<TaskResult> f =
          client.submit(
              TaskSpec.builder("echo")
                  .demand(Resources.of(8000, 1L << 30))
                  .timeout(Duration.ofMinutes(1))
                  .build());
      await().until(() -> client.pendingWork().size() == 1); // tried, and found no node
      assertThat(f).isNotDone();
      clock.advance(Duration.ofMinutes(1).plusMillis(1));
      assertThat(f)
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(
              TaskException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(TaskException.Kind.NO_NODE_FITS);
                assertThat(e.getMessage()).contains("1 rejected by cpu");
              });
      assertThat(client.allocations().nodesInUse()).isZero();
    }
  }

  @Test
  void antiAffinityOnTheRealPathSpreadsReplicasAcrossZones() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    TaskHandlers handlers =
        TaskHandlers.builtins().with("replica", gated(gate, running, new AtomicInteger()));
    try (EmbeddedCluster cluster = new EmbeddedCluster(handlers)) {
      for (String zone : List.of("z1", "z2", "z3")) {
        for (int i = 0; i < 2; i++) {
          String id = zone + "-" + i;
          cluster.startWorker(id, c -> c.withCapacity(NODE).withLabels(Map.of("zone", zone)));
        }
      }
      TideflowClient client =
          cluster.client(
              ClientConfig.defaults().withPlacement(new PolicyPlacement(PlacementPolicy.spread())));
      await().until(() -> client.view().countByState().get(NodeState.READY) == 6);

      PlacementRequest replica =
          PlacementRequest.builder(Resources.of(100, 1L << 20))
              .workLabels(Map.of("app", "web"))
              .antiAffinity(new AffinityTerm("app", "web", "zone"))
              .build();
      List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        futures.add(
            client.submit(
                TaskSpec.builder("replica")
                    .placement(replica)
                    .timeout(Duration.ofSeconds(30))
                    .build()));
      }
      // Three zones: three replicas run, one per zone; the fourth has no zone left and waits.
      await().until(() -> running.get() == 3);
      await().until(() -> client.pendingWork().size() == 1);
      assertThat(client.pendingWork().get(0).reason()).contains("rejected by anti-affinity");
      Set<String> zones = new HashSet<>();
      client.allocations().forEach((node, alloc) -> zones.add(node.substring(0, 2)));
      assertThat(zones).containsExactlyInAnyOrder("z1", "z2", "z3");

      gate.countDown();
      for (CompletableFuture<TaskResult> f : futures) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isNotNull();
      }
      assertThat(client.allocations().nodesInUse()).isZero();
      Optional<KeyValue> none = cluster.store.get(ClusterKeys.demand(client.id())).get();
      assertThat(none).isEmpty();
    }
  }
}
