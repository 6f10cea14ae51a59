package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.runtime.transport.proto.ResultBatch;
import io.tideflow.runtime.transport.proto.TaskBatch;
import io.tideflow.runtime.transport.proto.TaskServiceGrpc;
import io.tideflow.store.Lease;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker that takes tasks and then says nothing more while it stays registered: a node whose path
 * from this client died with the store still reachable, or whose process froze while its lease
 * lives on. The client gives its stream up after {@link WorkerConnections#STALL_BOUND} of silence
 * and places what it held again; the node stays in the registry.
 */
class SilentWorkerTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final EmbeddedCluster cluster =
      new EmbeddedCluster(
          TaskHandlers.builtins()
              .with(
                  "held",
                  p -> {
                    release.await(); // until the test lets it go
                    return p;
                  }));
  private final AtomicInteger taken = new AtomicInteger();
  private Server silent;

  @AfterEach
  void close() {
    release.countDown();
    cluster.close();
    if (silent != null) {
      silent.shutdownNow();
    }
  }

  /** Grants credits once, then reads every task and answers none. */
  private final class Silent extends TaskServiceGrpc.TaskServiceImplBase {
    @Override
    public StreamObserver<TaskBatch> tasks(StreamObserver<ResultBatch> responses) {
      responses.onNext(ResultBatch.newBuilder().setCredits(64).build());
      return new StreamObserver<>() {
        @Override
        public void onNext(TaskBatch batch) {
          taken.addAndGet(batch.getTasksCount());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
  }

  @Test
  void aRegisteredWorkerThatFallsSilentHasItsTasksPlacedAgainAfterTheStallBound() throws Exception {
    silent =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new Silent())
            .build()
            .start();
    NodeInfo silentNode =
        new NodeInfo(
            "silent",
            "test",
            "127.0.0.1:" + silent.getPort(),
            Map.of(),
            Resources.of(2_000, 1L << 30),
            NodeState.READY,
            LoadReport.NONE);
    Lease lease = cluster.store.grantLease(Duration.ofMinutes(5)).get(5, TimeUnit.SECONDS);
    cluster
        .store
        .put(ClusterKeys.node("silent"), NodeRecords.encode(silentNode), lease.id())
        .get(5, TimeUnit.SECONDS);
    TideflowClient client = cluster.client();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.view().node("silent") != null);
    List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      futures.add(client.submit(TaskSpec.builder("echo").timeout(Duration.ofSeconds(60)).build()));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> taken.get() == 20);
    cluster.startWorker("w1");

    for (CompletableFuture<TaskResult> f : futures) {
      TaskResult r = f.get(30, TimeUnit.SECONDS);
      assertThat(r.nodeId()).isEqualTo("w1");
      assertThat(r.attempts()).isEqualTo(2);
    }
    assertThat(cluster.metrics.counter("tideflow.client.stalled").count()).isEqualTo(1);
    assertThat(client.stats().failed()).isZero();
    assertThat(client.view().node("silent"))
        .as("the node still holds its lease: only this client gave it up")
        .isNotNull();
  }

  @Test
  void aStreamIdleForLongerThanTheStallBoundKeepsWorkingWhenTasksCome() throws Exception {
    cluster.startWorker("w1");
    TideflowClient client = cluster.client();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.view().node("w1") != null);
    assertThat(client.submit(TaskSpec.builder("echo").build()).get(10, TimeUnit.SECONDS))
        .isNotNull();
    long idleSince = System.nanoTime();
    // Nothing is sent or heard for longer than the bound: an idle stream is not a silent one.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                System.nanoTime() - idleSince
                    > WorkerConnections.STALL_BOUND.plusMillis(500).toNanos());

    List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      futures.add(client.submit(TaskSpec.builder("held").build()));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> client.stats().inFlight() == 20);
    // Many client ticks while the tasks run: the silence counts from when they were sent.
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> cluster.metrics.counter("tideflow.client.stalled").count() == 0);
    release.countDown();
    for (CompletableFuture<TaskResult> f : futures) {
      assertThat(f.get(10, TimeUnit.SECONDS).attempts()).isEqualTo(1);
    }
  }
}
