package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.CutOffStore;
import io.tideflow.runtime.membership.NodeIdTakenException;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.KeyValue;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A worker whose store is away, or says its lease is gone: it serves on, and rejoins. */
class StoreOutageTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final CountDownLatch release = new CountDownLatch(1);
  private final TaskHandlers handlers =
      TaskHandlers.builtins()
          .with(
              "held",
              p -> {
                release.await();
                return p;
              });
  private final MemoryClusterStore memory = new MemoryClusterStore();
  private final CutOffStore store = new CutOffStore(memory);
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    release.countDown();
    store.cut = false;
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
    memory.close();
  }

  private WorkerNode worker(String id, MemoryClusterStore or, boolean cutOff) {
    WorkerNode node =
        WorkerNode.start(
            WorkerConfig.defaults(id).withLeaseTtl(Duration.ofSeconds(2)),
            cutOff ? store : or,
            handlers,
            metrics);
    closing.add(node);
    return node;
  }

  private TideflowClient client() {
    // The client reaches the store: only the worker is cut off from it.
    TideflowClient client = TideflowClient.connect(memory, ClientConfig.defaults(), metrics);
    closing.add(client);
    await().atMost(WAIT).until(() -> client.view().nodes().size() == 1);
    return client;
  }

  @Test
  void aWorkerCutOffFromTheStoreKeepsServingItsClientsAndStaysUp() throws Exception {
    WorkerNode node = worker("w1", memory, true);
    TideflowClient client = client();

    store.cut = true;
    store.unconfirmed = WorkerNode.STORE_OUTAGE_GRACE.minusSeconds(1);
    List<CompletableFuture<TaskResult>> results = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      results.add(client.submit(TaskSpec.builder("echo").payload(new byte[] {(byte) i}).build()));
    }

    for (CompletableFuture<TaskResult> r : results) {
      assertThat(r.get(WAIT.toSeconds(), TimeUnit.SECONDS).nodeId()).isEqualTo("w1");
    }
    assertThat(client.stats().failed()).isZero();
    assertThat(node.terminated()).isNotDone();
    assertThat(node.registration().lost()).isNotDone();
    assertThat(node.admitsNewTasks()).isTrue();
  }

  @Test
  void pastTheGraceAWorkerCutOffTurnsNewTasksBackButFinishesWhatItRuns() throws Exception {
    WorkerNode node = worker("w1", memory, true);
    TideflowClient client = client();
    CompletableFuture<TaskResult> running = client.submit(TaskSpec.builder("held").build());
    await()
        .atMost(WAIT)
        .until(
            () ->
                metrics.get("tideflow.worker.tasks.in_flight").tag("node", "w1").gauge().value()
                    == 1.0);

    store.cut = true;
    store.unconfirmed = WorkerNode.STORE_OUTAGE_GRACE.plusMillis(1);

    assertThat(node.admitsNewTasks()).isFalse();
    assertThat(metrics.get("tideflow.worker.lease.unconfirmed").tag("node", "w1").gauge().value())
        .isGreaterThan(WorkerNode.STORE_OUTAGE_GRACE.toSeconds());
    release.countDown();
    assertThat(running.get(WAIT.toSeconds(), TimeUnit.SECONDS).nodeId()).isEqualTo("w1");
    assertThat(node.terminated()).isNotDone();

    // The store answers again: the worker takes tasks again, without a restart.
    store.cut = false;
    store.unconfirmed = Duration.ZERO;
    assertThat(node.admitsNewTasks()).isTrue();
    assertThat(
            client.submit(TaskSpec.builder("echo").build()).get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isNotNull();
  }

  @Test
  void aWorkerWhoseLeaseTheStoreEndedRejoinsUnderANewOneWithoutARestart() throws Exception {
    WorkerNode node = worker("w1", memory, false);
    TideflowClient client = client();
    long before = node.registration().lease().id();

    memory.expireLease(before); // as etcd does with a lease whose holder it did not hear from

    await().atMost(WAIT).until(() -> node.registration().rejoins() == 1);
    Optional<KeyValue> entry = memory.get(ClusterKeys.node("w1")).get(5, TimeUnit.SECONDS);
    assertThat(entry).isPresent();
    assertThat(entry.get().leaseId())
        .isEqualTo(node.registration().lease().id())
        .isNotEqualTo(before);
    NodeInfo stored = NodeRecords.decode(entry.get().key(), entry.get().value());
    assertThat(stored.state()).isEqualTo(NodeState.READY);
    assertThat(node.terminated()).isNotDone();
    await().atMost(WAIT).until(() -> client.view().node("w1") != null);
    assertThat(
            client.submit(TaskSpec.builder("echo").build()).get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isNotNull();
    assertThat(metrics.get("tideflow.worker.rejoins").tag("node", "w1").functionCounter().count())
        .isEqualTo(1.0);
  }

  @Test
  void aDrainingWorkerRejoinsStillDraining() throws Exception {
    WorkerNode node = worker("w1", memory, false);
    node.drain(Duration.ofMillis(1));

    memory.expireLease(node.registration().lease().id());

    await().atMost(WAIT).until(() -> node.registration().rejoins() == 1);
    KeyValue entry = memory.get(ClusterKeys.node("w1")).get(5, TimeUnit.SECONDS).orElseThrow();
    assertThat(NodeRecords.decode(entry.key(), entry.value()).state())
        .isEqualTo(NodeState.DRAINING);
  }

  @Test
  void aSecondNodeWithTheIdOfALiveOneIsRefusedNamingTheHolder() {
    WorkerNode first = worker("w1", memory, false);

    assertThatThrownBy(() -> worker("w1", memory, false))
        .isInstanceOf(NodeIdTakenException.class)
        .hasMessage(
            "node id w1 is registered by another live node at "
                + first.address()
                + ": every node needs an id of its own");
    assertThat(first.registration().lease().id())
        .isEqualTo(memoryLeaseOf("w1"))
        .as("the live node keeps its entry");
  }

  @Test
  void theIdOfACrashedNodeIsFreeOnceItsLeaseHasEnded() {
    WorkerNode crashed = worker("w1", memory, false);
    memory.suspendKeepAlive(crashed.registration().lease().id());
    crashed.kill();

    WorkerNode successor = worker("w1", memory, false);

    assertThat(memoryLeaseOf("w1")).isEqualTo(successor.registration().lease().id());
  }

  private long memoryLeaseOf(String id) {
    return memory.get(ClusterKeys.node(id)).join().orElseThrow().leaseId();
  }
}
