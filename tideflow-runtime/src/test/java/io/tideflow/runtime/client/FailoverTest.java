package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.runtime.worker.WorkerNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FailoverTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final EmbeddedCluster cluster =
      new EmbeddedCluster(
          TaskHandlers.builtins()
              .with(
                  "held",
                  p -> {
                    // Runs until the test lets it go (or the worker interrupts it).
                    release.await();
                    return p;
                  }));

  @AfterEach
  void close() {
    release.countDown();
    cluster.close();
  }

  /** Starts w1, puts 50 held tasks on it, then starts w2; returns the tasks' futures. */
  private List<CompletableFuture<TaskResult>> fiftyHeldOnW1ThenW2Starts(TideflowClient client) {
    cluster.startWorker("w1");
    await().until(() -> client.view().size() == 1);
    List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      futures.add(client.submit(held(i)));
    }
    await().until(() -> client.stats().inFlight() == 50);
    cluster.startWorker("w2");
    await().until(() -> client.view().size() == 2);
    return futures;
  }

  private double counter(String name) {
    var counter = cluster.metrics.find(name).counter();
    return counter == null ? 0 : counter.count();
  }

  private static TaskSpec held(int i) {
    return TaskSpec.builder("held")
        .payload(Integer.toString(i).getBytes(StandardCharsets.UTF_8))
        .build();
  }

  @Test
  void tasksOfACrashedWorkerArePlacedAgainAtOnceAndAllComplete() throws Exception {
    WorkerNode w1 = cluster.startWorker("w1");
    cluster.startWorker("w2");
    TideflowClient client = cluster.client();
    await().until(() -> client.view().countByState().get(NodeState.READY) == 2);
    List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      futures.add(client.submit(held(i)));
    }
    await().until(() -> client.stats().inFlight() == 200);

    cluster.crash(w1);
    // The broken connection, not the lease, tells the client: well before the 2 s TTL.
    await().atMost(Duration.ofSeconds(1)).until(() -> client.stats().retried() > 0);
    assertThat(client.view().node("w1")).as("lease not yet expired").isNotNull();
    release.countDown();

    for (int i = 0; i < futures.size(); i++) {
      TaskResult r = futures.get(i).get(20, TimeUnit.SECONDS);
      assertThat(new String(r.output(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(i));
      assertThat(r.nodeId()).isEqualTo("w2");
    }
    assertThat(client.stats().retried()).isBetween(1L, 200L);
    // And once the lease expires, the registry forgets the node.
    await().atMost(Duration.ofSeconds(5)).until(() -> client.view().node("w1") == null);
  }

  @Test
  void aWorkerWhoseLeaseTheStoreEndedRejoinsAndKeepsItsTasksWithoutRunningThemTwice()
      throws Exception {
    TideflowClient client = cluster.client();
    List<CompletableFuture<TaskResult>> futures = fiftyHeldOnW1ThenW2Starts(client);
    WorkerNode w1 = cluster.workers.get(0);

    cluster.store.expireLease(w1.registration().lease().id());
    // The store dropped a node that still runs: it rejoins under a new lease at the same address,
    // and the client takes its stream up again instead of placing its tasks elsewhere.
    await().atMost(Duration.ofSeconds(5)).until(() -> w1.registration().rejoins() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> counter("tideflow.client.resumed") == 1);
    release.countDown();
    for (CompletableFuture<TaskResult> f : futures) {
      assertThat(f.get(20, TimeUnit.SECONDS).nodeId()).isEqualTo("w1");
    }
    assertThat(client.stats().failed()).isZero();
    assertThat(client.stats().retried()).as("nothing ran twice").isZero();
    assertThat(counter("tideflow.client.severed")).isZero();
    assertThat(w1.terminated())
        .as("a worker the store dropped rejoins, it does not stop")
        .isNotDone();
  }

  @Test
  void aWorkerThatLeavesTheRegistryAndDoesNotRejoinHasItsTasksMovedWithinTheGrace()
      throws Exception {
    TideflowClient client = cluster.client();
    List<CompletableFuture<TaskResult>> futures = fiftyHeldOnW1ThenW2Starts(client);
    WorkerNode w1 = cluster.workers.get(0);

    // The node's entry goes, as for a node hung past its lease; its socket stays open.
    w1.registration().close();
    await().atMost(Duration.ofSeconds(5)).until(() -> client.view().node("w1") == null);
    await()
        .atMost(WorkerConnections.REJOIN_GRACE.plusSeconds(2))
        .until(() -> client.stats().retried() >= 50);
    release.countDown();
    for (CompletableFuture<TaskResult> f : futures) {
      assertThat(f.get(20, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(client.stats().failed()).isZero();
    assertThat(counter("tideflow.client.severed")).isEqualTo(1);
    assertThat(counter("tideflow.client.resumed")).isZero();
  }

  @Test
  void aDrainingWorkerFinishesItsTasksAndTakesNoNewOnes() throws Exception {
    WorkerNode w1 = cluster.startWorker("w1");
    TideflowClient client = cluster.client();
    await().until(() -> client.view().size() == 1);
    List<CompletableFuture<TaskResult>> before = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      before.add(client.submit(held(i)));
    }
    await().until(() -> client.stats().inFlight() == 20);
    cluster.startWorker("w2");
    await().until(() -> client.view().countByState().get(NodeState.READY) == 2);

    CompletableFuture<WorkerNode.DrainResult> drain =
        CompletableFuture.supplyAsync(() -> w1.drain(Duration.ofSeconds(20)));
    await().until(() -> client.view().node("w1").state() == NodeState.DRAINING);
    List<CompletableFuture<TaskResult>> after = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      after.add(client.submit(TaskSpec.builder("echo").build()));
    }
    for (CompletableFuture<TaskResult> f : after) {
      assertThat(f.get(20, TimeUnit.SECONDS).nodeId()).isEqualTo("w2");
    }
    assertThat(drain).isNotDone();
    release.countDown();
    assertThat(drain.get(20, TimeUnit.SECONDS).drained()).isTrue();
    for (CompletableFuture<TaskResult> f : before) {
      assertThat(f.get(20, TimeUnit.SECONDS).nodeId()).isEqualTo("w1");
    }
    assertThat(client.stats().retried()).isZero();
  }
}
