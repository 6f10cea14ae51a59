package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.runtime.transport.proto.ErrorCode;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskMessage;
import io.tideflow.runtime.worker.Rejections.Reason;
import io.tideflow.store.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The worker's admission limits, in tasks and in payload bytes, and its deadline-ordered queue. */
class AdmissionTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int MIB = 1024 * 1024;

  private final ManualClock clock = new ManualClock();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch blockerStarted = new CountDownLatch(1);
  private final List<String> ran = new ArrayList<>();
  private final AtomicInteger echoes = new AtomicInteger();
  private final TaskHandlers handlers =
      TaskHandlers.builtins()
          .with(
              "blocker",
              payload -> {
                blockerStarted.countDown();
                release.await();
                return new byte[0];
              })
          .with(
              "record",
              payload -> {
                synchronized (ran) {
                  ran.add(new String(payload));
                }
                return payload;
              })
          .with(
              "echo",
              payload -> {
                echoes.incrementAndGet();
                return payload;
              });
  private TaskRunner runner;

  @AfterEach
  void stop() {
    release.countDown();
    runner.stop();
  }

  @Test
  void aTaskBeyondTheAdmittedTaskLimitIsAnsweredOverloadedAtOnceAndNeverQueued() throws Exception {
    runner = new TaskRunner(handlers, 1, 10, 2, Long.MAX_VALUE, clock);
    submit(1, "blocker", 0, 0);
    await().atMost(WAIT).until(() -> blockerStarted.getCount() == 0);
    CompletableFuture<ResultMessage> queued = submit(2, "echo", 0, 0);

    CompletableFuture<ResultMessage> third = submit(3, "echo", 0, 0);

    assertThat(third)
        .as("answered on the submitting thread, before anything else runs")
        .isCompletedWithValueMatching(
            r ->
                r.getError() == ErrorCode.OVERLOADED
                    && r.getErrorMessage()
                        .equals("worker overloaded: 2 tasks admitted already (maxAdmittedTasks)"),
            "OVERLOADED naming the limit");
    assertThat(runner.queued()).isEqualTo(1);
    assertThat(runner.inFlight()).isEqualTo(2);
    assertThat(runner.rejections().get(Reason.OVERLOADED)).isEqualTo(1);
    release.countDown();
    assertThat(queued).succeedsWithin(WAIT);
    await().atMost(WAIT).until(() -> runner.inFlight() == 0);
    assertThat(echoes).as("the turned-back task never ran").hasValue(1);
  }

  @Test
  void aTaskWhosePayloadWouldPassTheAdmittedBytesIsAnsweredOverloaded() throws Exception {
    runner = new TaskRunner(handlers, 1, 10, 100, 3L * MIB / 2, clock);
    submit(1, "blocker", 0, MIB);
    await().atMost(WAIT).until(() -> blockerStarted.getCount() == 0);
    assertThat(runner.admittedBytes()).isEqualTo(MIB);

    CompletableFuture<ResultMessage> big = submit(2, "echo", 0, MIB);
    CompletableFuture<ResultMessage> small = submit(3, "echo", 0, 1024);

    assertThat(big)
        .isCompletedWithValueMatching(
            r ->
                r.getError() == ErrorCode.OVERLOADED
                    && r.getErrorMessage().contains("(maxAdmittedBytes)"),
            "OVERLOADED naming the byte limit");
    assertThat(small).as("a task that still fits is queued").isNotDone();
    release.countDown();
    assertThat(small).succeedsWithin(WAIT);
    await().atMost(WAIT).until(() -> runner.admittedBytes() == 0 && runner.inFlight() == 0);
  }

  @Test
  void aLoneTaskOfTheLargestPayloadIsAdmittedWhateverTheByteLimit() throws Exception {
    runner = new TaskRunner(handlers, 1, 10, 100, 1, clock);

    assertThat(submit(1, "echo", 0, WireLimits.MAX_PAYLOAD_BYTES))
        .succeedsWithin(WAIT)
        .satisfies(r -> assertThat(r.getError()).isEqualTo(ErrorCode.ERROR_CODE_NONE));
  }

  @Test
  void whatIsAdmittedIsLetGoOfWhenTasksFinishOrExpireInTheQueue() throws Exception {
    runner = new TaskRunner(handlers, 1, 10, 3, Long.MAX_VALUE, clock);
    submit(1, "blocker", 0, 0);
    await().atMost(WAIT).until(() -> blockerStarted.getCount() == 0);
    submit(2, "echo", 1_000, 10);
    submit(3, "echo", 1_000, 10);
    assertThat(submit(4, "echo", 0, 0)).isCompletedWithValueMatching(overloaded());

    clock.advance(Duration.ofMillis(1_001));
    assertThat(runner.expire(clock.millis())).isEqualTo(2);

    assertThat(runner.inFlight()).isEqualTo(1);
    assertThat(runner.admittedBytes()).isZero();
    assertThat(submit(5, "echo", 0, 0)).isNotDone(); // admitted and queued again
  }

  @Test
  void queuedTasksRunEarliestDeadlineFirstAndThoseWithoutADeadlineLast() throws Exception {
    runner = new TaskRunner(handlers, 1, 10, 100, Long.MAX_VALUE, clock);
    submit(1, "blocker", 0, 0);
    await().atMost(WAIT).until(() -> blockerStarted.getCount() == 0);
    List<CompletableFuture<ResultMessage>> all = new ArrayList<>();
    all.add(submitNamed(2, "none", 0));
    all.add(submitNamed(3, "late", 30_000));
    all.add(submitNamed(4, "soon", 10_000));
    all.add(submitNamed(5, "middle", 20_000));

    release.countDown();

    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(ran).containsExactly("soon", "middle", "late", "none");
  }

  private static Predicate<ResultMessage> overloaded() {
    return r -> r.getError() == ErrorCode.OVERLOADED;
  }

  private CompletableFuture<ResultMessage> submitNamed(long id, String name, long timeoutMillis) {
    CompletableFuture<ResultMessage> result = new CompletableFuture<>();
    runner.submit(
        TaskMessage.newBuilder()
            .setId(id)
            .setHandler("record")
            .setPayload(ByteString.copyFromUtf8(name))
            .setTimeoutMillis(timeoutMillis)
            .build(),
        result::complete);
    return result;
  }

  private CompletableFuture<ResultMessage> submit(
      long id, String handler, long timeoutMillis, int payloadBytes) {
    CompletableFuture<ResultMessage> result = new CompletableFuture<>();
    runner.submit(
        TaskMessage.newBuilder()
            .setId(id)
            .setHandler(handler)
            .setPayload(ByteString.copyFrom(new byte[payloadBytes]))
            .setTimeoutMillis(timeoutMillis)
            .build(),
        result::complete);
    return result;
  }
}
