package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.retry.Backoff;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.proto.ResultBatch;
import io.tideflow.runtime.transport.proto.TaskBatch;
import io.tideflow.runtime.transport.proto.TaskServiceGrpc;
import io.tideflow.store.ManualClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How long the client leaves a node alone after its stream broke, on a manual clock. The node is a
 * task service of the test's own, listed READY in the registry, that counts the streams opened to
 * it; back-offs are minutes long, so only the clock can end them while the test runs.
 */
class ReconnectBackoffTest {
  private static final Duration FIRST = Duration.ofMinutes(1);

  /** Long enough for several ticks of the client's timer to look at a back-off not yet over. */
  private static final Duration SEVERAL_TICKS = Duration.ofMillis(300);

  private final EmbeddedCluster cluster = new EmbeddedCluster(TaskHandlers.builtins());
  private final ManualClock clock = new ManualClock();
  private final FlakyWorker worker = new FlakyWorker();
  private Server server;

  @BeforeEach
  void listNodeInTheRegistry() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(worker)
            .build()
            .start();
    NodeInfo node =
        new NodeInfo(
            "flaky",
            "test",
            "127.0.0.1:" + server.getPort(),
            Map.of(),
            Resources.of(1000, 1L << 30),
            NodeState.READY,
            LoadReport.NONE);
    cluster
        .store
        .put(ClusterKeys.node(node.id()), NodeRecords.encode(node), 0)
        .get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws InterruptedException {
    cluster.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private void connect() {
    cluster.client(
        ClientConfig.defaults()
            .withClock(clock)
            .withReconnectBackoff(Backoff.exponential(FIRST, FIRST.multipliedBy(4))));
  }

  /** Times the client has backed a node off, so far. */
  private double backoffs() {
    return cluster.metrics.counter("tideflow.client.backoffs").count();
  }

  private void noNewDialForSeveralTicks(int dials) {
    await()
        .during(SEVERAL_TICKS)
        .atMost(SEVERAL_TICKS.multipliedBy(3))
        .until(() -> worker.dials.get() == dials);
  }

  private void dialledAgain(int dials) {
    await().until(() -> worker.dials.get() == dials && backoffs() == dials);
  }

  @Test
  void aNodeWhoseStreamBrokeIsNotDialledAgainUntilItsBackoffHasPassedOnTheClock() {
    connect();
    dialledAgain(1); // the first dial, refused and backed off

    clock.advance(FIRST.minusMillis(1));
    noNewDialForSeveralTicks(1);
    clock.advance(Duration.ofMillis(1));
    dialledAgain(2);

    // Refused again: the second failure in a row doubles the wait.
    clock.advance(FIRST.multipliedBy(2).minusMillis(1));
    noNewDialForSeveralTicks(2);
    clock.advance(Duration.ofMillis(1));
    dialledAgain(3);
  }

  @Test
  void aStreamTheNodeAnsweredStartsTheCountOfFailuresAfresh() {
    connect();
    dialledAgain(1);
    worker.answer = true;
    clock.advance(FIRST);
    await().until(() -> worker.open.get() != null);

    // It answered (credits), then broke: a first failure again, backed off for FIRST, not 2x.
    worker.open.get().onError(Status.UNAVAILABLE.withDescription("cut off").asRuntimeException());
    await().until(() -> backoffs() == 2);
    assertThat(worker.dials.get()).isEqualTo(2);
    clock.advance(FIRST.minusMillis(1));
    noNewDialForSeveralTicks(2);
    clock.advance(Duration.ofMillis(1));
    await().until(() -> worker.dials.get() == 3);
  }

  /** A worker's task service that counts streams and refuses them, or answers when told to. */
  private static final class FlakyWorker extends TaskServiceGrpc.TaskServiceImplBase {
    final AtomicInteger dials = new AtomicInteger();

    /** Grant credits and keep the stream open, instead of ending it at once. */
    volatile boolean answer;

    final AtomicReference<StreamObserver<ResultBatch>> open = new AtomicReference<>();

    @Override
    public StreamObserver<TaskBatch> tasks(StreamObserver<ResultBatch> responses) {
      dials.incrementAndGet();
      if (answer) {
        responses.onNext(ResultBatch.newBuilder().setCredits(1).build());
        open.set(responses);
      } else {
        responses.onError(Status.UNAVAILABLE.withDescription("refused").asRuntimeException());
      }
      return new StreamObserver<>() {
        @Override
        public void onNext(TaskBatch batch) {
          // Tasks are not run here: only whether and when the client dials matters.
        }

        @Override
        public void onError(Throwable t) {
          // The client ended its end of the stream; nothing to clean up.
        }

        @Override
        public void onCompleted() {
          responses.onCompleted();
        }
      };
    }
  }
}
