package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.Lease;
import io.tideflow.store.memory.MemoryClusterStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker that hangs with its socket open (SIGSTOP, a cut-off path that sends no RST) keeps its
 * stream up but loses its lease. The hung worker here keeps its own lease in a store of its own, so
 * nothing on its side ends the stream; the cluster sees it through an entry written under a lease
 * the test lets expire, as the registry would see a node that stopped renewing.
 */
class UnresponsiveWorkerTest {
  private static final int TASKS = 100;

  /** Executions per task payload, on any worker: a duplicate is counted, not hidden. */
  private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

  private final Map<String, AtomicInteger> healthyExecutions = new ConcurrentHashMap<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final EmbeddedCluster cluster =
      new EmbeddedCluster(
          TaskHandlers.builtins()
              .with(
                  "work",
                  p -> {
                    String key = new String(p, StandardCharsets.UTF_8);
                    executions.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                    healthyExecutions
                        .computeIfAbsent(key, k -> new AtomicInteger())
                        .incrementAndGet();
                    return p;
                  }));
  private final MemoryClusterStore hungWorkersOwnStore = new MemoryClusterStore();
  private WorkerNode hung;

  @AfterEach
  void close() {
    release.countDown();
    cluster.close();
    if (hung != null) {
      hung.close();
    }
    hungWorkersOwnStore.close();
  }

  /** Starts a worker whose handler counts each execution and then hangs until the test ends. */
  private WorkerNode startHungWorker(String id) {
    TaskHandlers hanging =
        TaskHandlers.builtins()
            .with(
                "work",
                p -> {
                  executions
                      .computeIfAbsent(
                          new String(p, StandardCharsets.UTF_8), k -> new AtomicInteger())
                      .incrementAndGet();
                  release.await();
                  return p;
                });
    return WorkerNode.start(
        WorkerConfig.defaults(id).withLeaseTtl(Duration.ofSeconds(2)),
        hungWorkersOwnStore,
        hanging,
        new SimpleMeterRegistry());
  }

  /** Lists {@code node} in the cluster's registry under a lease of 2 s that the caller controls. */
  private Lease listInRegistry(WorkerNode node) throws Exception {
    return listInRegistry(node.info());
  }

  private Lease listInRegistry(NodeInfo node) throws Exception {
    Lease lease = cluster.store.grantLease(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
    cluster
        .store
        .put(ClusterKeys.node(node.id()), NodeRecords.encode(node), lease.id())
        .get(5, TimeUnit.SECONDS);
    return lease;
  }

  private static TaskSpec work(int i) {
    return TaskSpec.builder("work")
        .payload(Integer.toString(i).getBytes(StandardCharsets.UTF_8))
        .timeout(Duration.ofSeconds(60))
        .build();
  }

  @Test
  void tasksOfAHungWorkerWhoseLeaseExpiredArePlacedAgainAtOnceAndAllComplete() throws Exception {
    hung = startHungWorker("hung");
    Lease hungLease = listInRegistry(hung);
    TideflowClient client = cluster.client();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.view().size() == 1);
    List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      futures.add(client.submit(work(i)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> executions.size() == TASKS);
    assertThat(client.stats().inFlight()).isEqualTo(TASKS);
    cluster.startWorker("healthy");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.view().countByState().get(NodeState.READY) == 2);

    // The hung worker stops renewing; its stream stays open and its handlers keep hanging.
    cluster.store.suspendKeepAlive(hungLease.id());
    await().atMost(Duration.ofSeconds(10)).until(() -> client.view().node("hung") == null);

    // Well inside the tasks' 60 s timeout: they moved when the node left, not when they expired.
    for (int i = 0; i < TASKS; i++) {
      TaskResult r = futures.get(i).get(20, TimeUnit.SECONDS);
      assertThat(new String(r.output(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(i));
      assertThat(r.nodeId()).isEqualTo("healthy");
      assertThat(r.attempts()).isEqualTo(2);
    }
    TideflowClient.Stats stats = client.stats();
    assertThat(stats.retried()).isEqualTo(TASKS);
    assertThat(stats.failed()).isZero();
    assertThat(stats.completed()).isEqualTo(TASKS);
    assertThat(stats.inFlight()).isZero();
    assertThat(healthyExecutions).hasSize(TASKS);
    assertThat(healthyExecutions.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    assertThat(executions.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(2));
    assertThat(cluster.metrics.counter("tideflow.client.severed").count()).isEqualTo(1.0);

    // The hung worker wakes up and answers on the stream the client broke off: nothing changes.
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> hung.info().load() != null && hung.info().load().completed() == TASKS);
    assertThat(client.stats().completed()).isEqualTo(TASKS);
    assertThat(client.stats().failed()).isZero();
  }

  @Test
  void aDrainingWorkerStillFinishesItsTasksWhileListed() throws Exception {
    hung = startHungWorker("hung");
    Lease hungLease = listInRegistry(hung);
    TideflowClient client = cluster.client();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.view().size() == 1);
    List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      futures.add(client.submit(work(i)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> executions.size() == 10);
    cluster
        .store
        .put(
            ClusterKeys.node(hung.id()),
            NodeRecords.encode(hung.info().withState(NodeState.DRAINING)),
            hungLease.id())
        .get(5, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.view().node("hung").state() == NodeState.DRAINING);
    release.countDown();
    for (CompletableFuture<TaskResult> f : futures) {
      assertThat(f.get(20, TimeUnit.SECONDS).nodeId()).isEqualTo("hung");
    }
    assertThat(client.stats().retried()).isZero();
  }

  @Test
  void tasksOnAPathThatDiedWithoutAResetArePlacedAgainByKeepAlive() throws Exception {
    hung = startHungWorker("far");
    try (Blackhole path = new Blackhole(hung.address())) {
      NodeInfo far = hung.info();
      // Listed under a lease that stays alive: only the dead path can tell the client.
      listInRegistry(
          new NodeInfo(
              far.id(),
              far.provider(),
              path.address(),
              far.labels(),
              far.capacity(),
              NodeState.READY,
              far.load()));
      TideflowClient client = cluster.client();
      await().atMost(Duration.ofSeconds(10)).until(() -> client.view().size() == 1);
      List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        futures.add(client.submit(work(i)));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> executions.size() == 20);
      cluster.startWorker("healthy");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.view().countByState().get(NodeState.READY) == 2);

      path.cut();
      // Keep-alive: a ping after 10 s of silence, unanswered for 3 s, breaks the stream. With
      // gRPC's default 20 s ping timeout it would take about 30 s: more than this bound allows.
      for (int i = 0; i < futures.size(); i++) {
        TaskResult r = futures.get(i).get(25, TimeUnit.SECONDS);
        assertThat(new String(r.output(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(i));
        assertThat(r.nodeId()).isEqualTo("healthy");
      }
      assertThat(client.view().node("far")).as("its lease never expired").isNotNull();
      assertThat(client.stats().retried()).isEqualTo(20);
      assertThat(client.stats().failed()).isZero();
      assertThat(healthyExecutions.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    }
  }
}
