package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.store.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskSubmissionTest {
  private final AtomicInteger runs = new AtomicInteger();
  private final EmbeddedCluster cluster =
      new EmbeddedCluster(
          TaskHandlers.builtins()
              .with(
                  "count",
                  p -> {
                    runs.incrementAndGet();
                    return p;
                  })
              .with(
                  "boom",
                  p -> {
                    throw new IllegalStateException("boom on purpose");
                  })
              .with("huge", p -> new byte[WireLimits.MAX_PAYLOAD_BYTES + 1])
              .with(
                  "error",
                  p -> {
                    throw new AssertionError("an Error, not an Exception");
                  }));

  @AfterEach
  void close() {
    cluster.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static TaskException failure(CompletableFuture<?> f) {
    Throwable t = catchThrowable(() -> f.get(20, TimeUnit.SECONDS));
    assertThat(t).isInstanceOf(ExecutionException.class);
    assertThat(t.getCause()).isInstanceOf(TaskException.class);
    return (TaskException) t.getCause();
  }

  @Test
  void runsEveryTaskOnTheWorkersAndReturnsItsResult() throws Exception {
    cluster.startWorker("w1");
    cluster.startWorker("w2");
    TideflowClient client = cluster.client();
    // Both streams open first (on a loaded machine one may take longer than the whole burst).
    Set<String> answered = ConcurrentHashMap.newKeySet();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              List<CompletableFuture<TaskResult>> pair =
                  List.of(
                      client.submit(TaskSpec.builder("echo").build()),
                      client.submit(TaskSpec.builder("echo").build()));
              for (CompletableFuture<TaskResult> f : pair) {
                answered.add(f.get(10, TimeUnit.SECONDS).nodeId());
              }
              return answered.size() == 2;
            });
    long warmUp = client.stats().completed();
    List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      futures.add(client.submit(TaskSpec.builder("echo").payload(bytes("task-" + i)).build()));
    }
    AtomicInteger onW1 = new AtomicInteger();
    for (int i = 0; i < futures.size(); i++) {
      TaskResult r = futures.get(i).get(30, TimeUnit.SECONDS);
      assertThat(new String(r.output(), StandardCharsets.UTF_8)).isEqualTo("task-" + i);
      assertThat(r.attempts()).isEqualTo(1);
      if (r.nodeId().equals("w1")) {
        onW1.incrementAndGet();
      }
    }
    assertThat(onW1.get()).as("both workers take a share").isBetween(500, 4_500);
    assertThat(client.stats().completed()).isEqualTo(warmUp + 5_000);
  }

  @Test
  void anUnknownHandlerFailsWithAMessageNamingIt() {
    cluster.startWorker("w1");
    TaskException e = failure(cluster.client().submit(TaskSpec.builder("no-such").build()));
    assertThat(e.kind()).isEqualTo(TaskException.Kind.UNKNOWN_HANDLER);
    assertThat(e.getMessage()).contains("unknown handler 'no-such'").contains("echo");
  }

  @Test
  void aHandlerThatThrowsFailsTheTaskWithWhatItSaid() {
    cluster.startWorker("w1");
    TaskException e = failure(cluster.client().submit(TaskSpec.builder("boom").build()));
    assertThat(e.kind()).isEqualTo(TaskException.Kind.HANDLER_FAILED);
    assertThat(e.getMessage()).contains("boom on purpose").contains("w1");
  }

  @Test
  void aHandlerThrowingAnErrorStillAnswersAndTheWorkerGoesOn() throws Exception {
    cluster.startWorker("w1");
    TideflowClient client = cluster.client();
    for (int i = 0; i < 3; i++) {
      TaskException e = failure(client.submit(TaskSpec.builder("error").build()));
      assertThat(e.kind()).isEqualTo(TaskException.Kind.HANDLER_FAILED);
      assertThat(e.getMessage()).contains("an Error, not an Exception");
    }
    assertThat(
            client
                .submit(TaskSpec.builder("echo").payload(bytes("ok")).build())
                .get(20, TimeUnit.SECONDS)
                .output())
        .isEqualTo(bytes("ok"));
  }

  @Test
  void closingTheClientFailsEveryTaskItHeldAndLaterSubmits() throws Exception {
    TideflowClient client = cluster.client(); // no workers: tasks wait
    List<CompletableFuture<TaskResult>> waiting = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      waiting.add(client.submit(TaskSpec.builder("echo").build()));
    }
    client.close();
    for (CompletableFuture<TaskResult> f : waiting) {
      assertThat(failure(f).kind()).isEqualTo(TaskException.Kind.CLIENT_CLOSED);
    }
    assertThat(failure(client.submit(TaskSpec.builder("echo").build())).kind())
        .isEqualTo(TaskException.Kind.CLIENT_CLOSED);
  }

  @Test
  void theClientsRegistryWatchReportsItsHealthUntilTheClientCloses() {
    TideflowClient client = cluster.client();
    assertThat(
            cluster
                .metrics
                .get("tideflow.membership.watch.healthy")
                .tag("watcher", "client")
                .gauge()
                .value())
        .isEqualTo(1);
    assertThat(
            cluster
                .metrics
                .get("tideflow.membership.watch.restarts")
                .tag("watcher", "client")
                .functionCounter()
                .count())
        .isZero();
    client.close();
    assertThat(cluster.metrics.find("tideflow.membership.watch.healthy").gauges()).isEmpty();
  }

  @Test
  void oversizedPayloadsAndResultsAreRejectedWithTheirSize() {
    cluster.startWorker("w1");
    TideflowClient client = cluster.client();
    TaskException tooBig =
        failure(
            client.submit(
                TaskSpec.builder("echo")
                    .payload(new byte[WireLimits.MAX_PAYLOAD_BYTES + 1])
                    .build()));
    assertThat(tooBig.kind()).isEqualTo(TaskException.Kind.TOO_LARGE);
    assertThat(tooBig.getMessage())
        .contains("payload of 1048577 bytes exceeds the limit of 1048576 bytes");
    TaskException hugeResult = failure(client.submit(TaskSpec.builder("huge").build()));
    assertThat(hugeResult.kind()).isEqualTo(TaskException.Kind.TOO_LARGE);
    assertThat(hugeResult.getMessage()).contains("result of 1048577 bytes");
  }

  @Test
  void aFullSubmitQueueRejectsClearlyAndKeepsWhatItAccepted() throws Exception {
    TideflowClient client = cluster.client(ClientConfig.defaults().withMaxPending(10));
    List<CompletableFuture<TaskResult>> accepted = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      accepted.add(client.submit(TaskSpec.builder("echo").payload(bytes("k" + i)).build()));
    }
    TaskException e = failure(client.submit(TaskSpec.builder("echo").build()));
    assertThat(e.kind()).isEqualTo(TaskException.Kind.QUEUE_FULL);
    assertThat(e.getMessage()).contains("10 tasks already wait");
    cluster.startWorker("w1"); // the accepted tasks were waiting for a node: now they run
    for (int i = 0; i < 10; i++) {
      assertThat(accepted.get(i).get(20, TimeUnit.SECONDS).output()).isEqualTo(bytes("k" + i));
    }
  }

  @Test
  void aTaskNoNodeCanTakeFailsWithTheReasonAfterItsTimeout() {
    cluster.startWorker("w1", c -> c.withLabels(Map.of("zone", "a")));
    ManualClock clock = new ManualClock();
    TideflowClient client = cluster.client(ClientConfig.defaults().withClock(clock));
    await().until(() -> client.view().size() == 1);
    CompletableFuture<TaskResult> f =
        client.submit(
            TaskSpec.builder("echo")
                .labelSelector(Map.of("zone", "b"))
                .timeout(Duration.ofMinutes(1))
                .build());
    await().until(() -> client.pendingWork().size() == 1); // tried, and found no node
    clock.advance(Duration.ofMinutes(1).plusMillis(1));
    TaskException e = failure(f);
    assertThat(e.kind()).isEqualTo(TaskException.Kind.NO_NODE_FITS);
    assertThat(e.getMessage()).contains("1 rejected by labels").endsWith("(waited PT1M)");
  }

  @Test
  void aRetryWithTheSameIdempotencyKeyRunsOnce() throws Exception {
    cluster.startWorker("w1");
    TideflowClient client = cluster.client();
    TaskSpec spec =
        TaskSpec.builder("count").payload(bytes("x")).idempotencyKey("order-17").build();
    assertThat(client.submit(spec).get(20, TimeUnit.SECONDS).output()).isEqualTo(bytes("x"));
    assertThat(client.submit(spec).get(20, TimeUnit.SECONDS).output()).isEqualTo(bytes("x"));
    assertThat(runs.get()).isEqualTo(1);
  }
}
