package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.tideflow.runtime.task.TaskHandler;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.proto.ErrorCode;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskMessage;
import io.tideflow.store.ManualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Task timeouts on the worker, driven exactly by a manual clock. */
class TaskRunnerTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(5);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ManualClock clock = new ManualClock();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch blockerStarted = new CountDownLatch(1);
  private final CountDownLatch interrupted = new CountDownLatch(1);
  private final AtomicInteger echoes = new AtomicInteger();
  private final TaskRunner runner =
      new TaskRunner(
          TaskHandlers.builtins()
              // Holds its slot until the test releases it; ignores interrupts.
              .with(
                  "blocker",
                  payload -> {
                    blockerStarted.countDown();
                    while (true) {
                      try {
                        release.await();
                        return payload;
                      } catch (InterruptedException e) {
                        interrupted.countDown();
                      }
                    }
                  })
              // Waits for an interrupt and counts it: a handler that honours its timeout.
              .with(
                  "interruptible",
                  payload -> {
                    blockerStarted.countDown();
                    try {
                      new CountDownLatch(1).await();
                      return payload;
                    } catch (InterruptedException e) {
                      interrupted.countDown();
                      throw e;
                    }
                  })
              .with("echo", countingEcho()),
          1,
          100,
          clock);

  @AfterEach
  void releaseHandlers() {
    release.countDown();
    runner.stop();
  }

  @Test
  void aQueuedTaskIsAnsweredTimedOutWithoutRunningOnlyOnceTheClockPassesItsDeadline()
      throws Exception {
    submit(1, "blocker", 0);
    await().atMost(WAIT).until(() -> blockerStarted.getCount() == 0);
    CompletableFuture<ResultMessage> queued = submit(2, "echo", TIMEOUT.toMillis());
    assertThat(runner.queued()).isEqualTo(1);

    clock.advance(TIMEOUT);
    assertThat(runner.expire(clock.millis()))
        .as("exactly at its deadline it still has time")
        .isZero();
    assertThat(queued).isNotDone();

    clock.advance(Duration.ofMillis(1));
    assertThat(runner.expire(clock.millis())).isEqualTo(1);

    assertThat(queued)
        .isCompletedWithValueMatching(
            r ->
                r.getError() == ErrorCode.TIMED_OUT
                    && r.getErrorMessage().contains("waited past its timeout of 300000 ms"),
            "TIMED_OUT");
    assertThat(runner.queued()).isZero();
    assertThat(runner.timedOut()).isEqualTo(1);
    release.countDown();
    await().atMost(WAIT).until(() -> runner.inFlight() == 0);
    assertThat(echoes).as("the timed-out task never ran").hasValue(0);
  }

  @Test
  void aQueuedTaskWhoseDeadlinePassedBeforeASlotFreedDoesNotRunWhenItIsDequeued() throws Exception {
    submit(1, "blocker", 0);
    await().atMost(WAIT).until(() -> blockerStarted.getCount() == 0);
    CompletableFuture<ResultMessage> late = submit(2, "echo", TIMEOUT.toMillis());
    CompletableFuture<ResultMessage> onTime = submit(3, "echo", TIMEOUT.plusMinutes(1).toMillis());
    clock.advance(TIMEOUT.plusMillis(1));

    release.countDown(); // no sweep: the slot's thread meets the queued tasks itself

    assertThat(late)
        .succeedsWithin(WAIT)
        .satisfies(r -> assertThat(r.getError()).isEqualTo(ErrorCode.TIMED_OUT));
    assertThat(onTime)
        .succeedsWithin(WAIT)
        .satisfies(r -> assertThat(r.getError()).isEqualTo(ErrorCode.ERROR_CODE_NONE));
    assertThat(echoes).as("only the one still within its timeout ran").hasValue(1);
  }

  @Test
  void aRunningTaskIsAnsweredTimedOutAndInterruptedOnlyOnceTheClockPassesItsDeadline()
      throws Exception {
    CompletableFuture<ResultMessage> running = submit(1, "interruptible", TIMEOUT.toMillis());
    await().atMost(WAIT).until(() -> blockerStarted.getCount() == 0);

    clock.advance(TIMEOUT);
    assertThat(runner.expire(clock.millis())).isZero();
    assertThat(running).isNotDone();
    assertThat(interrupted.getCount()).isEqualTo(1);

    clock.advance(Duration.ofMillis(1));
    assertThat(runner.expire(clock.millis())).isEqualTo(1);

    assertThat(running)
        .isCompletedWithValueMatching(
            r ->
                r.getError() == ErrorCode.TIMED_OUT
                    && r.getErrorMessage().contains("exceeded its timeout of 300000 ms"),
            "TIMED_OUT");
    await().atMost(WAIT).until(() -> interrupted.getCount() == 0);
    await().atMost(WAIT).until(() -> runner.inFlight() == 0);
    assertThat(runner.overdue()).as("it honoured the interrupt and gave its slot back").isZero();
  }

  @Test
  void aRunningTaskThatIgnoresTheInterruptCountsAsOverdueUntilItReturns() throws Exception {
    CompletableFuture<ResultMessage> stuck = submit(1, "blocker", TIMEOUT.toMillis());
    await().atMost(WAIT).until(() -> blockerStarted.getCount() == 0);

    clock.advance(TIMEOUT.plusMillis(1));
    assertThat(runner.expire(clock.millis())).isEqualTo(1);

    assertThat(stuck)
        .isCompletedWithValueMatching(r -> r.getError() == ErrorCode.TIMED_OUT, "TIMED_OUT");
    await().atMost(WAIT).until(() -> interrupted.getCount() == 0);
    assertThat(runner.overdue()).isEqualTo(1);
    release.countDown();
    await().atMost(WAIT).until(() -> runner.overdue() == 0 && runner.inFlight() == 0);
    assertThat(runner.expire(clock.millis())).as("answered once only").isZero();
  }

  @Test
  void aTaskWithoutATimeoutIsNeverTimedOutHoweverFarTheClockMoves() throws Exception {
    CompletableFuture<ResultMessage> running = submit(1, "blocker", 0);
    CompletableFuture<ResultMessage> queued = submit(2, "echo", 0);
    await().atMost(WAIT).until(() -> blockerStarted.getCount() == 0);

    clock.advance(Duration.ofDays(365_000));

    assertThat(runner.expire(clock.millis())).isZero();
    assertThat(running).isNotDone();
    assertThat(queued).isNotDone();
    release.countDown();
    assertThat(queued)
        .succeedsWithin(WAIT)
        .satisfies(r -> assertThat(r.getError()).isEqualTo(ErrorCode.ERROR_CODE_NONE));
    assertThat(echoes).hasValue(1);
  }

  @Test
  void aTimeoutTooLongToAddToTheClockMeansNoDeadline() throws Exception {
    CompletableFuture<ResultMessage> running = submit(1, "blocker", Long.MAX_VALUE);
    await().atMost(WAIT).until(() -> blockerStarted.getCount() == 0);

    clock.advance(Duration.ofDays(365_000));

    assertThat(runner.expire(clock.millis())).isZero();
    assertThat(running).isNotDone();
  }

  @Test
  void aTimedOutPrimesTaskStopsCountingAndFreesItsSlot() throws Exception {
    CompletableFuture<ResultMessage> primes = new CompletableFuture<>();
    // Far more counting than the test waits for: only the interrupt can end it.
    runner.submit(
        TaskMessage.newBuilder()
            .setId(1)
            .setHandler("primes")
            .setPayload(ByteString.copyFromUtf8(Long.toString(Long.MAX_VALUE)))
            .setTimeoutMillis(TIMEOUT.toMillis())
            .build(),
        primes::complete);
    await().atMost(WAIT).until(() -> runner.inFlight() == 1 && runner.queued() == 0);

    clock.advance(TIMEOUT.plusMillis(1));
    assertThat(runner.expire(clock.millis())).isEqualTo(1);

    assertThat(primes)
        .isCompletedWithValueMatching(r -> r.getError() == ErrorCode.TIMED_OUT, "TIMED_OUT");
    await().atMost(WAIT).until(() -> runner.overdue() == 0 && runner.inFlight() == 0);
    assertThat(submit(2, "echo", 0))
        .succeedsWithin(WAIT)
        .satisfies(r -> assertThat(r.getError()).isEqualTo(ErrorCode.ERROR_CODE_NONE));
  }

  private CompletableFuture<ResultMessage> submit(long id, String handler, long timeoutMillis) {
    CompletableFuture<ResultMessage> result = new CompletableFuture<>();
    runner.submit(
        TaskMessage.newBuilder()
            .setId(id)
            .setHandler(handler)
            .setTimeoutMillis(timeoutMillis)
            .build(),
        result::complete);
    return result;
  }

  private TaskHandler countingEcho() {
    return payload -> {
      echoes.incrementAndGet();
      return payload;
    };
  }
}
