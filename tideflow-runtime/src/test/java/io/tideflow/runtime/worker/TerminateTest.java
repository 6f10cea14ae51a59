package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.autoscale.NodeTerminator;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.membership.TestLeader;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.runtime.transport.proto.NodeControlGrpc;
import io.tideflow.runtime.transport.proto.StatusRequest;
import io.tideflow.runtime.transport.proto.TerminateReply;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A coordinator stops a worker it may not have started with a fenced Terminate call: the worker
 * lets its tasks finish, answers, and leaves the cluster; anyone else's terminate changes nothing.
 * On a real etcd, where the fencing token is an etcd revision.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TerminateTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final CountDownLatch release = new CountDownLatch(1);
  private final TaskHandlers handlers =
      TaskHandlers.builtins()
          .with(
              "held",
              p -> {
                release.await();
                return p;
              });
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private EtcdProcess etcd;
  private ClusterStore store;
  private Leadership leader;

  @BeforeEach
  void startEtcdAndLead() throws Exception {
    etcd = EtcdProcess.start();
    closing.add(etcd);
    store = ClusterStores.open(etcd.uri());
    closing.add(store);
    // The test leads, as a coordinator would: its token is the one workers accept.
    leader = TestLeader.lead(store, "test");
  }

  @AfterEach
  void close() throws Exception {
    release.countDown();
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
  }

  private WorkerNode worker(String id) {
    WorkerNode node =
        WorkerNode.start(
            WorkerConfig.defaults(id).withLeaseTtl(Duration.ofSeconds(2)),
            store,
            handlers,
            metrics);
    closing.add(node);
    return node;
  }

  private TideflowClient client() {
    TideflowClient client = TideflowClient.connect(store, ClientConfig.defaults(), metrics);
    closing.add(client);
    await().atMost(WAIT).until(() -> client.view().nodes().size() == 1);
    return client;
  }

  @Test
  void aTerminateWithTheCoordinatorsTokenLetsTheRunningTaskFinishAnswersAndStopsTheNode()
      throws Exception {
    WorkerNode node = worker("w1");
    String address = node.address(); // a stopped server has no port to tell
    TideflowClient client = client();
    CompletableFuture<TaskResult> running = client.submit(TaskSpec.builder("held").build());
    await().atMost(WAIT).until(() -> inFlight("w1") == 1.0);
    assertThat(node.terminatedByCoordinator()).isFalse();

    CompletableFuture<TerminateReply> reply =
        NodeTerminator.terminate(
            address, leader.fencingToken(), Duration.ofSeconds(30), "scale in");
    // Draining: it has passed the fencing check and waits for the held task.
    await().atMost(WAIT).until(() -> storedState("w1").equals(Optional.of(NodeState.DRAINING)));
    assertThat(reply).as("no answer while the task runs within the grace").isNotDone();
    assertThat(node.terminated()).isNotDone();
    release.countDown();

    assertThat(reply)
        .succeedsWithin(WAIT)
        .isEqualTo(TerminateReply.newBuilder().setStillRunning(0).build());
    assertThat(running.get(WAIT.toSeconds(), TimeUnit.SECONDS).nodeId()).isEqualTo("w1");
    assertThat(node.terminated()).succeedsWithin(WAIT);
    assertThat(node.terminatedByCoordinator()).isTrue();
    assertThat(node.registration().lost()).as("a graceful end, not a lost lease").isNotDone();
    await().atMost(WAIT).until(() -> storedState("w1").isEmpty());
    assertThat(statusError(address).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void aTerminateWithAnyOtherTokenIsRefusedAndTheNodeRunsOn() throws Exception {
    WorkerNode node = worker("w1");
    TideflowClient client = client();
    long token = leader.fencingToken();

    for (long wrong : new long[] {token + 1, token - 1, Long.MAX_VALUE}) {
      Status refused = refusal(NodeTerminator.terminate(node.address(), wrong, Duration.ZERO, ""));
      assertThat(refused.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(refused.getDescription())
          .isEqualTo(
              "fencing token " + wrong + " is not the current coordinator's (token " + token + ")");
    }

    assertThat(node.terminatedByCoordinator()).isFalse();
    assertThat(node.terminated()).isNotDone();
    assertThat(node.admitsNewTasks()).isTrue();
    assertThat(storedState("w1")).contains(NodeState.READY);
    assertThat(
            client
                .submit(TaskSpec.builder("echo").build())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                .nodeId())
        .isEqualTo("w1");
  }

  @Test
  void aTerminateWithABadGraceOrReasonIsRejectedByNameBeforeItsTokenCounts() throws Exception {
    WorkerNode node = worker("w1");
    long token = leader.fencingToken();

    assertThat(invalid(NodeTerminator.terminate(node.address(), token, Duration.ofMillis(-1), "")))
        .isEqualTo("grace_millis must be between 0 and 600000, was -1");
    assertThat(
            invalid(
                NodeTerminator.terminate(
                    node.address(), token, Duration.ofMillis(600_001), "too long")))
        .isEqualTo("grace_millis must be between 0 and 600000, was 600001");
    assertThat(
            invalid(
                NodeTerminator.terminate(
                    node.address(), token, Duration.ofSeconds(1), "r".repeat(257))))
        .isEqualTo("reason must be at most 256 characters, was 257");
    assertThat(node.terminatedByCoordinator()).isFalse();
    assertThat(node.terminated()).isNotDone();
    assertThat(storedState("w1")).contains(NodeState.READY);

    // The bounds themselves are allowed: an idle node answers at once and stops.
    assertThat(
            NodeTerminator.terminate(
                node.address(), token, ControlService.MAX_GRACE, "r".repeat(256)))
        .succeedsWithin(WAIT)
        .extracting(TerminateReply::getStillRunning)
        .isEqualTo(0);
    assertThat(node.terminated()).succeedsWithin(WAIT);
    assertThat(node.terminatedByCoordinator()).isTrue();
  }

  private double inFlight(String id) {
    return metrics.get("tideflow.worker.tasks.in_flight").tag("node", id).gauge().value();
  }

  /** The node's state as the registry in etcd has it; empty when it has no entry. */
  private Optional<NodeState> storedState(String id) throws Exception {
    Optional<KeyValue> entry = store.get(ClusterKeys.node(id)).get(10, TimeUnit.SECONDS);
    return entry.map(kv -> NodeRecords.decode(kv.key(), kv.value()).state());
  }

  private static Status refusal(CompletableFuture<TerminateReply> call) {
    ExecutionException e =
        catchThrowableOfType(
            ExecutionException.class, () -> call.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertThat(e).as("the terminate must be refused").isNotNull();
    return Status.fromThrowable(e.getCause());
  }

  private static String invalid(CompletableFuture<TerminateReply> call) {
    Status refused = refusal(call);
    assertThat(refused.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    return refused.getDescription();
  }

  private static Status statusError(String address) throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
    try {
      StatusRuntimeException e =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  NodeControlGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .status(StatusRequest.getDefaultInstance()));
      assertThat(e).as("the stopped node's server must not answer").isNotNull();
      return e.getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
