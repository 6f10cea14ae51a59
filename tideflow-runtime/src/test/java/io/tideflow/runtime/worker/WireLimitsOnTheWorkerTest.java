package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.runtime.transport.proto.ErrorCode;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskMessage;
import io.tideflow.store.ManualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a worker does with a task or result beyond a wire limit: answers that task, alone. */
class WireLimitsOnTheWorkerTest {

  @Test
  void aHandlerNameOverItsLimitIsAnsweredWithAnErrorNamingTheLimit() throws Exception {
    ResultMessage r = run(TaskMessage.newBuilder().setId(7).setHandler("h".repeat(300)).build());

    assertThat(r.getId()).isEqualTo(7);
    assertThat(r.getError()).isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(r.getErrorMessage())
        .isEqualTo("handler name is 300 chars, more than the limit of 256");
  }

  @Test
  void anIdempotencyKeyOverItsLimitIsAnsweredWithAnErrorNamingTheLimit() throws Exception {
    ResultMessage r =
        run(
            TaskMessage.newBuilder()
                .setId(8)
                .setHandler("echo")
                .setIdempotencyKey("k".repeat(WireLimits.MAX_IDEMPOTENCY_KEY_CHARS + 1))
                .build());

    assertThat(r.getError()).isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(r.getErrorMessage())
        .isEqualTo("idempotency key is 257 chars, more than the limit of 256");
  }

  @Test
  void namesAndKeysAtTheirLimitsRun() throws Exception {
    String name = "n".repeat(WireLimits.MAX_HANDLER_NAME_CHARS);
    TaskRunner runner =
        new TaskRunner(TaskHandlers.builtins().with(name, p -> p), 1, 10, new ManualClock());
    try {
      CompletableFuture<ResultMessage> result = new CompletableFuture<>();
      runner.submit(
          TaskMessage.newBuilder()
              .setId(1)
              .setHandler(name)
              .setIdempotencyKey("k".repeat(WireLimits.MAX_IDEMPOTENCY_KEY_CHARS))
              .setPayload(ByteString.copyFromUtf8("ok"))
              .build(),
          result::complete);
      assertThat(result.get(10, TimeUnit.SECONDS).getOutput().toStringUtf8()).isEqualTo("ok");
    } finally {
      runner.stop();
    }
  }

  @Test
  void anErrorTextOverItsLimitIsTruncatedWithAMarker() {
    ResultMessage sent =
        TaskStreamService.forWire(
            TaskRunner.error(3, ErrorCode.HANDLER_FAILED, "x".repeat(10_000)));

    assertThat(sent.getErrorMessage()).hasSize(WireLimits.MAX_ERROR_MESSAGE_CHARS);
    assertThat(sent.getErrorMessage())
        .startsWith("xxxx")
        .endsWith("… [truncated: 10000 chars in all]");
    assertThat(sent.getError()).isEqualTo(ErrorCode.HANDLER_FAILED);
    assertThat(sent.getId()).isEqualTo(3);
  }

  @Test
  void aResultTooLargeForOneStreamMessageBecomesAnErrorForItsTask() {
    ResultMessage huge =
        ResultMessage.newBuilder()
            .setId(4)
            .setOutput(ByteString.copyFrom(new byte[WireLimits.MAX_MESSAGE_BYTES]))
            .build();

    ResultMessage sent = TaskStreamService.forWire(huge);

    assertThat(sent.getId()).isEqualTo(4);
    assertThat(sent.getError()).isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(sent.getErrorMessage())
        .startsWith("result is " + huge.getSerializedSize() + " bytes encoded")
        .endsWith(
            "more than the limit of "
                + WireLimits.MAX_RESULT_BYTES
                + " bytes for one stream message");
  }

  @Test
  void aHandlerFailingWithAnErrorTextLargerThanAMessageLeavesTheStreamWorking() throws Exception {
    String text = "y".repeat(WireLimits.MAX_MESSAGE_BYTES + 1);
    TaskHandlers handlers =
        TaskHandlers.builtins()
            .with(
                "loud",
                p -> {
                  throw new IllegalStateException(text);
                });
    try (EmbeddedCluster cluster = new EmbeddedCluster(handlers)) {
      cluster.startWorker("w1");
      TideflowClient client = cluster.client();

      var loud = client.submit(TaskSpec.builder("loud").maxAttempts(1).build());

      assertThat(loud)
          .failsWithin(Duration.ofSeconds(20))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(
              TaskException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(TaskException.Kind.HANDLER_FAILED);
                assertThat(e.getMessage()).contains("[truncated: ");
              });
      byte[] out =
          client
              .submit(TaskSpec.builder("echo").payload(new byte[] {5}).build())
              .get(20, TimeUnit.SECONDS)
              .output();
      assertThat(out).containsExactly((byte) 5);
    }
  }

  private static ResultMessage run(TaskMessage task) throws Exception {
    TaskRunner runner = new TaskRunner(TaskHandlers.builtins(), 1, 10, new ManualClock());
    try {
      CompletableFuture<ResultMessage> result = new CompletableFuture<>();
      runner.submit(task, result::complete);
      return result.get(10, TimeUnit.SECONDS);
    } finally {
      runner.stop();
    }
  }
}
