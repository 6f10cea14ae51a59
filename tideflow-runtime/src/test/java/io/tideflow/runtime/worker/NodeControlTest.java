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
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.membership.TestLeader;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.proto.DrainReply;
import io.tideflow.runtime.transport.proto.DrainRequest;
import io.tideflow.runtime.transport.proto.NodeControlGrpc;
import io.tideflow.runtime.transport.proto.StatusRequest;
import io.tideflow.store.Leadership;
import io.tideflow.store.ManualClock;
import io.tideflow.store.memory.MemoryClusterStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeControlTest {
  private final EmbeddedCluster cluster = new EmbeddedCluster(TaskHandlers.builtins());
  private ManagedChannel channel;

  @AfterEach
  void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    cluster.close();
  }

  private NodeControlGrpc.NodeControlBlockingStub control(WorkerNode node) {
    channel = NettyChannelBuilder.forTarget(node.address()).usePlaintext().build();
    return NodeControlGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void drainOverGrpcMarksTheNodeDrainingAndAnswersWhenIdle() {
    WorkerNode node = cluster.startWorker("w1");
    NodeControlGrpc.NodeControlBlockingStub stub = control(node);
    assertThat(stub.status(StatusRequest.getDefaultInstance()).getNode().getState())
        .isEqualTo("READY");

    long token = cluster.lead().fencingToken();
    DrainReply reply =
        stub.drain(
            DrainRequest.newBuilder().setTimeoutMillis(5_000).setFencingToken(token).build());
    assertThat(reply.getDrained()).isTrue();
    assertThat(reply.getStillRunning()).isZero();
    assertThat(node.info().state()).isEqualTo(NodeState.DRAINING);
  }

  @Test
  void aDrainIsCarriedOutOnlyWithTheCurrentCoordinatorsTokenAsTheStoreSaysIt() throws Exception {
    WorkerNode node = cluster.startWorker("w1");
    NodeControlGrpc.NodeControlBlockingStub stub = control(node);
    assertThat(drainError(stub, 7))
        .as("no coordinator leads: nobody may drain")
        .isEqualTo("fencing token 7 is not the current coordinator's (none leads)");

    Leadership first = cluster.lead();
    long token = first.fencingToken();
    assertThat(drainError(stub, token - 1))
        .isEqualTo(
            "fencing token "
                + (token - 1)
                + " is not the current coordinator's (token "
                + token
                + ")");
    // A token beyond any leader's, from any local process, neither drains nor poisons the node.
    assertThat(drainError(stub, Long.MAX_VALUE)).contains("is not the current coordinator's");
    first.resign().get(10, TimeUnit.SECONDS);
    Leadership second = cluster.lead();
    assertThat(drainError(stub, token))
        .as("the deposed leader's token")
        .isEqualTo(
            "fencing token "
                + token
                + " is not the current coordinator's (token "
                + second.fencingToken()
                + ")");
    assertThat(node.info().state()).isEqualTo(NodeState.READY);

    DrainReply reply =
        stub.drain(
            DrainRequest.newBuilder()
                .setTimeoutMillis(1_000)
                .setFencingToken(second.fencingToken())
                .build());
    assertThat(reply.getDrained()).isTrue();
    assertThat(node.info().state()).isEqualTo(NodeState.DRAINING);
  }

  private static String drainError(NodeControlGrpc.NodeControlBlockingStub stub, long token) {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                stub.drain(
                    DrainRequest.newBuilder()
                        .setTimeoutMillis(1_000)
                        .setFencingToken(token)
                        .build()));
    assertThat(e).as("drain with token " + token + " must fail").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    return e.getStatus().getDescription();
  }

  @Test
  void aDrainWithoutATimeoutIsRejectedByName() {
    WorkerNode node = cluster.startWorker("w1");
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> control(node).drain(DrainRequest.newBuilder().setFencingToken(1).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("timeout_millis must be > 0, was 0");
  }

  @Test
  void aDrainGivesUpWhenTheWorkersClockPassesItsTimeoutAndSaysWhatStillRuns() throws Exception {
    ManualClock clock = new ManualClock();
    WorkerNode node = cluster.startWorker("w1", c -> c.withClock(clock));
    // Its own timeout is longer than the drain's, which the worker's clock would also apply.
    cluster
        .client()
        .submit(
            TaskSpec.builder("sleep")
                .timeout(Duration.ofHours(1))
                .payload("600000".getBytes(StandardCharsets.US_ASCII))
                .build());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cluster
                        .metrics
                        .get("tideflow.worker.tasks.in_flight")
                        .tag("node", "w1")
                        .gauge()
                        .value()
                    == 1.0);
    // Ten minutes: only the moved clock, not the real wait below, can end it.
    Duration timeout = Duration.ofMinutes(10);
    CompletableFuture<WorkerNode.DrainResult> drain =
        CompletableFuture.supplyAsync(() -> node.drain(timeout));
    // DRAINING is written after the drain took its deadline from the clock.
    await().atMost(Duration.ofSeconds(10)).until(() -> node.info().state() == NodeState.DRAINING);

    clock.advance(timeout);

    assertThat(drain)
        .succeedsWithin(Duration.ofSeconds(10))
        .isEqualTo(new WorkerNode.DrainResult(false, 1));
  }

  @Test
  void aDrainWhoseRegistryWriteFailsRepliesWithAnErrorNamingTheFailure() throws Exception {
    try (MemoryClusterStore memory = new MemoryClusterStore();
        FailingPutsStore store = new FailingPutsStore(memory);
        WorkerNode node =
            WorkerNode.start(
                WorkerConfig.defaults("w9"),
                store,
                TaskHandlers.builtins(),
                new SimpleMeterRegistry())) {
      long token = TestLeader.lead(memory, "test").fencingToken();
      store.failPuts = true;

      StatusRuntimeException e =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  control(node)
                      .drain(
                          DrainRequest.newBuilder()
                              .setTimeoutMillis(1_000)
                              .setFencingToken(token)
                              .build()));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription())
          .isEqualTo(
              "drain of w9 could not mark it DRAINING in the registry: put "
                  + ClusterKeys.node("w9")
                  + ": store partitioned by the test");
      // It refuses tasks regardless, and says DRAINING once the registry takes writes again.
      assertThat(node.info().state()).isEqualTo(NodeState.DRAINING);
      store.failPuts = false;
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  NodeRecords.decode(
                              ClusterKeys.node("w9"),
                              memory.get(ClusterKeys.node("w9")).get().orElseThrow().value())
                          .state()
                      == NodeState.DRAINING);
    }
  }
}
