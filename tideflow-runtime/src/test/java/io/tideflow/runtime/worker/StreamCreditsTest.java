package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.runtime.transport.proto.ErrorCode;
import io.tideflow.runtime.transport.proto.ResultBatch;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskBatch;
import io.tideflow.runtime.transport.proto.TaskMessage;
import io.tideflow.runtime.transport.proto.TaskServiceGrpc;
import io.tideflow.runtime.worker.Rejections.Reason;
import io.tideflow.store.ManualClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's end of a task stream against a raw gRPC client that does what our client never does:
 * ignores credits, stops reading.
 */
class StreamCreditsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int CREDITS = 4;

  private final CountDownLatch release = new CountDownLatch(1);
  private final TaskRunner runner =
      new TaskRunner(
          TaskHandlers.builtins()
              .with(
                  "blocker",
                  p -> {
                    release.await();
                    return p;
                  })
              .with("big", p -> new byte[WireLimits.MAX_PAYLOAD_BYTES]),
          64,
          10,
          new ManualClock());
  private final ExecutorService sender = Executors.newSingleThreadExecutor();
  private final TaskStreamService service =
      new TaskStreamService(runner, CREDITS, () -> true, sender);
  private final Server server;
  private final ManagedChannel channel;
  private final List<ResultBatch> received = new CopyOnWriteArrayList<>();
  private final Map<Long, ResultMessage> results = new ConcurrentHashMap<>();
  private final AtomicReference<Throwable> broke = new AtomicReference<>();

  StreamCreditsTest() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .directExecutor()
            .addService(service)
            .build()
            .start();
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
            .usePlaintext()
            .directExecutor()
            .maxInboundMessageSize(WireLimits.MAX_MESSAGE_BYTES)
            .build();
  }

  @AfterEach
  void close() throws Exception {
    release.countDown();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    runner.stop();
    sender.shutdownNow();
  }

  @Test
  void tasksBeyondTheStreamsCreditsAreEachRejectedAndTheStreamKeepsWorking() throws Exception {
    AtomicReference<ClientCallStreamObserver<TaskBatch>> stream = new AtomicReference<>();
    TaskServiceGrpc.newStub(channel).tasks(observer(stream, false));
    TaskBatch.Builder batch = TaskBatch.newBuilder();
    for (long id = 1; id <= CREDITS + 3; id++) {
      batch.addTasks(TaskMessage.newBuilder().setId(id).setHandler("blocker"));
    }

    stream.get().onNext(batch.build()); // all at once, whatever the credits say

    await().atMost(WAIT).until(() -> results.size() == 3);
    assertThat(results.values())
        .allSatisfy(
            r -> {
              assertThat(r.getError()).isEqualTo(ErrorCode.NO_CREDIT);
              assertThat(r.getErrorMessage()).contains("beyond the 4 credits it holds");
            });
    assertThat(results.keySet()).containsExactlyInAnyOrder(5L, 6L, 7L);
    assertThat(runner.inFlight()).as("only the credited tasks were taken").isEqualTo(CREDITS);
    assertThat(runner.rejections().get(Reason.NO_CREDIT)).isEqualTo(3);

    release.countDown();
    await().atMost(WAIT).until(() -> results.size() == CREDITS + 3);
    stream.get().onNext(TaskBatch.newBuilder().addTasks(task(8, "echo")).build());
    await().atMost(WAIT).until(() -> results.containsKey(8L));
    assertThat(results.get(8L).getError()).isEqualTo(ErrorCode.ERROR_CODE_NONE);
    assertThat(broke).as("the stream never broke").hasValue(null);
  }

  @Test
  void resultsWaitWhileTheStreamIsNotReadyAndAllArriveOnceTheClientReadsAgain() throws Exception {
    AtomicReference<ClientCallStreamObserver<TaskBatch>> stream = new AtomicReference<>();
    TaskServiceGrpc.newStub(channel).tasks(observer(stream, true));
    ClientCallStreamObserver<TaskBatch> s = stream.get();
    s.request(1); // the grant of credits only
    await().atMost(WAIT).until(() -> received.size() == 1);
    TaskBatch.Builder batch = TaskBatch.newBuilder();
    for (long id = 1; id <= CREDITS; id++) {
      batch.addTasks(task(id, "big")); // 1 MiB results: more than HTTP/2's window holds
    }

    s.onNext(batch.build());

    await().atMost(WAIT).until(() -> runner.completed() == CREDITS);
    await().atMost(WAIT).until(() -> service.owedResults() > 0);
    int owed = service.owedResults();
    assertThat(owed).as("bounded by the credits").isBetween(1, CREDITS);
    s.request(Integer.MAX_VALUE);
    await().atMost(WAIT).until(() -> results.size() == CREDITS);
    assertThat(results.values())
        .allSatisfy(r -> assertThat(r.getOutput().size()).isEqualTo(WireLimits.MAX_PAYLOAD_BYTES));
    await().atMost(WAIT).until(() -> service.owedResults() == 0);
    assertThat(broke).hasValue(null);
  }

  @Test
  void aStreamHoldingTasksHearsAHeartbeatWhenSilentAndAnIdleOneDoesNot() throws Exception {
    AtomicReference<ClientCallStreamObserver<TaskBatch>> stream = new AtomicReference<>();
    TaskServiceGrpc.newStub(channel).tasks(observer(stream, false));
    await().atMost(WAIT).until(() -> received.size() == 1); // the credit grant
    stream.get().onNext(TaskBatch.newBuilder().addTasks(task(1, "blocker")).build());
    await().atMost(WAIT).until(() -> runner.inFlight() == 1);

    beatUntil(() -> received.size() > 1);
    ResultBatch beat = received.get(1);
    assertThat(beat.getResultsCount()).isZero();
    assertThat(beat.getCredits()).isZero();

    release.countDown();
    await().atMost(WAIT).until(() -> results.containsKey(1L));
    int heard = received.size();
    long idleSince = System.nanoTime();
    beatUntil(() -> System.nanoTime() - idleSince > 3 * TaskStreamService.HEARTBEAT.toNanos());
    assertThat(received).as("no heartbeat on a stream that holds nothing").hasSize(heard);
  }

  /** Runs the heartbeat on the send executor, as the worker's timer does, until {@code done}. */
  private void beatUntil(Callable<Boolean> done) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              sender.submit(service::beat).get();
              return done.call();
            });
  }

  private static TaskMessage task(long id, String handler) {
    return TaskMessage.newBuilder()
        .setId(id)
        .setHandler(handler)
        .setPayload(ByteString.copyFromUtf8("x"))
        .build();
  }

  private ClientResponseObserver<TaskBatch, ResultBatch> observer(
      AtomicReference<ClientCallStreamObserver<TaskBatch>> stream, boolean manualReads) {
    return new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<TaskBatch> requestStream) {
        stream.set(requestStream);
        if (manualReads) {
          requestStream.disableAutoRequestWithInitial(0);
        }
      }

      @Override
      public void onNext(ResultBatch batch) {
        received.add(batch);
        batch.getResultsList().forEach(r -> results.put(r.getId(), r));
      }

      @Override
      public void onError(Throwable t) {
        broke.set(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}
