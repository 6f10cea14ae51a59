package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskMessage;
import io.tideflow.store.ManualClock;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Dedup by (handler, idempotency key) on one worker. */
class IdempotencyTest {
  private static final long WAIT_SECONDS = 10;

  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch started = new CountDownLatch(1);
  private final AtomicInteger blockerRuns = new AtomicInteger();
  private final AtomicInteger echoRuns = new AtomicInteger();
  private final TaskHandlers handlers =
      TaskHandlers.builtins()
          .with(
              "blocker",
              payload -> {
                blockerRuns.incrementAndGet();
                started.countDown();
                release.await();
                return ascii("blocked " + new String(payload, StandardCharsets.UTF_8));
              })
          .with(
              "echo",
              payload -> {
                echoRuns.incrementAndGet();
                return payload;
              })
          .with(
              "shout",
              payload ->
                  new String(payload, StandardCharsets.UTF_8)
                      .toUpperCase()
                      .getBytes(StandardCharsets.UTF_8));
  private TaskRunner runner;

  @AfterEach
  void stop() {
    release.countDown();
    if (runner != null) {
      runner.stop();
    }
  }

  @Test
  void theSameKeyOnAnotherHandlerRunsThatHandler() throws Exception {
    runner = new TaskRunner(handlers, 4, 100, new ManualClock());

    ResultMessage echoed = submit(1, "echo", "k", "hello").get(WAIT_SECONDS, TimeUnit.SECONDS);
    ResultMessage shouted = submit(2, "shout", "k", "hello").get(WAIT_SECONDS, TimeUnit.SECONDS);
    ResultMessage again = submit(3, "echo", "k", "other").get(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(echoed.getOutput().toStringUtf8()).isEqualTo("hello");
    assertThat(shouted.getOutput().toStringUtf8()).isEqualTo("HELLO");
    assertThat(again.getOutput().toStringUtf8()).isEqualTo("hello");
    assertThat(again.getId()).isEqualTo(3);
    assertThat(echoRuns).hasValue(1);
    assertThat(runner.deduplicated()).isEqualTo(1);
  }

  @Test
  void aRunningTasksEntryIsNeverEvictedAndANewKeyRunsWithoutDedupWhenOnlyRunningOnesAreLeft()
      throws Exception {
    runner = new TaskRunner(handlers, 4, 1, new ManualClock());
    CompletableFuture<ResultMessage> first = submit(1, "blocker", "a", "x");
    assertThat(started.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    ResultMessage unkeyed = submit(2, "echo", "b", "y").get(WAIT_SECONDS, TimeUnit.SECONDS);
    ResultMessage unkeyedAgain = submit(3, "echo", "b", "y").get(WAIT_SECONDS, TimeUnit.SECONDS);
    CompletableFuture<ResultMessage> retry = submit(4, "blocker", "a", "x");
    release.countDown();

    assertThat(first.get(WAIT_SECONDS, TimeUnit.SECONDS).getOutput().toStringUtf8())
        .isEqualTo("blocked x");
    assertThat(retry.get(WAIT_SECONDS, TimeUnit.SECONDS).getOutput().toStringUtf8())
        .isEqualTo("blocked x");
    assertThat(blockerRuns).hasValue(1);
    assertThat(unkeyed.getOutput().toStringUtf8()).isEqualTo("y");
    assertThat(unkeyedAgain.getOutput().toStringUtf8()).isEqualTo("y");
    assertThat(echoRuns).hasValue(2);
    assertThat(runner.undeduplicated()).isEqualTo(2);
    assertThat(runner.deduplicated()).isEqualTo(1);
    assertThat(runner.dedupEntries()).isEqualTo(1);
  }

  @Test
  void finishedEntriesAreEvictedEldestFirstWithinTheBound() throws Exception {
    runner = new TaskRunner(handlers, 4, 2, new ManualClock());
    submit(1, "echo", "a", "1").get(WAIT_SECONDS, TimeUnit.SECONDS);
    submit(2, "echo", "b", "2").get(WAIT_SECONDS, TimeUnit.SECONDS);
    submit(3, "echo", "c", "3").get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(runner.dedupEntries()).isEqualTo(2);

    submit(4, "echo", "c", "3").get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(echoRuns).hasValue(3);
    submit(5, "echo", "a", "1").get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(echoRuns).hasValue(4);
    assertThat(runner.dedupEntries()).isEqualTo(2);
  }

  private CompletableFuture<ResultMessage> submit(
      long id, String handler, String key, String payload) {
    CompletableFuture<ResultMessage> result = new CompletableFuture<>();
    runner.submit(
        TaskMessage.newBuilder()
            .setId(id)
            .setHandler(handler)
            .setIdempotencyKey(key)
            .setPayload(ByteString.copyFromUtf8(payload))
            .build(),
        result::complete);
    return result;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
