package io.tideflow.runtime.client;

import static io.tideflow.runtime.client.TaskSubmissionTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.runtime.transport.WireLimits;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What submit() refuses before anything is sent, and the client's budget in bytes. */
class SubmitLimitsTest {
  private static final int MIB = 1024 * 1024;

  private final EmbeddedCluster cluster = new EmbeddedCluster(TaskHandlers.builtins());

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void aHandlerNameOverTheWireLimitIsRefusedAtSubmitNamingTheFieldAndTheLimit() {
    TideflowClient client = cluster.client(); // no worker: nothing could be sent anyway

    CompletableFuture<TaskResult> f =
        client.submit(TaskSpec.builder("h".repeat(WireLimits.MAX_HANDLER_NAME_CHARS + 1)).build());

    assertThat(f).isCompletedExceptionally();
    assertThat(failure(f).kind()).isEqualTo(TaskException.Kind.TOO_LARGE);
    assertThat(failure(f).getMessage())
        .isEqualTo("handler name is 257 chars, more than the limit of 256");
    assertThat(client.stats().submitted()).as("never queued").isZero();
  }

  @Test
  void anIdempotencyKeyOverTheWireLimitIsRefusedAtSubmitNamingTheFieldAndTheLimit() {
    TideflowClient client = cluster.client();

    CompletableFuture<TaskResult> f =
        client.submit(
            TaskSpec.builder("echo")
                .idempotencyKey("k".repeat(WireLimits.MAX_IDEMPOTENCY_KEY_CHARS + 1))
                .build());

    assertThat(failure(f).kind()).isEqualTo(TaskException.Kind.TOO_LARGE);
    assertThat(failure(f).getMessage())
        .isEqualTo("idempotency key is 257 chars, more than the limit of 256");
  }

  @Test
  void aSubmitWhosePayloadWouldPassThePendingBytesFailsAtOnceNamingTheLimit() {
    TideflowClient client = cluster.client(ClientConfig.defaults().withMaxPendingBytes(2L * MIB));
    CompletableFuture<TaskResult> first = client.submit(sized(MIB));
    CompletableFuture<TaskResult> second = client.submit(sized(MIB));

    CompletableFuture<TaskResult> third = client.submit(sized(1));

    assertThat(first).isNotDone();
    assertThat(second).isNotDone();
    assertThat(failure(third).kind()).isEqualTo(TaskException.Kind.QUEUE_FULL);
    assertThat(failure(third).getMessage())
        .isEqualTo(
            "submit queue full: 2097152 payload bytes are held by tasks not yet answered, and a"
                + " task of 1 would pass the limit of 2097152 (ClientConfig.maxPendingBytes)");
  }

  @Test
  void answeredTasksGiveTheirBytesBack() throws Exception {
    cluster.startWorker("w1");
    TideflowClient client = cluster.client(ClientConfig.defaults().withMaxPendingBytes(2L * MIB));

    for (int round = 0; round < 3; round++) {
      CompletableFuture<TaskResult> a = client.submit(sized(MIB));
      CompletableFuture<TaskResult> b = client.submit(sized(MIB));
      assertThat(a.get(20, TimeUnit.SECONDS).output()).hasSize(MIB);
      assertThat(b.get(20, TimeUnit.SECONDS).output()).hasSize(MIB);
    }
  }

  private static TaskSpec sized(int bytes) {
    return TaskSpec.builder("echo").payload(new byte[bytes]).build();
  }
}
