package io.tideflow.runtime.client;

import static io.tideflow.runtime.client.TaskSubmissionTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.TaskSpec;
import io.tideflow.core.retry.Backoff;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.runtime.worker.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the client does with tasks an overloaded worker turns back. */
class OverloadTurnBackTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch blocking = new CountDownLatch(1);
  private final EmbeddedCluster cluster =
      new EmbeddedCluster(
          TaskHandlers.builtins()
              .with(
                  "block",
                  p -> {
                    blocking.countDown();
                    release.await();
                    return p;
                  }));

  @AfterEach
  void close() {
    release.countDown();
    cluster.close();
  }

  /** One slot, one admitted task: a second task is turned back while the first runs. */
  private static WorkerConfig full(WorkerConfig c) {
    return c.withMaxConcurrentTasks(1).withAdmissionLimits(1, c.maxAdmittedBytes());
  }

  private static ClientConfig turningBack(int maxTurnBacks, double ratio, int burst) {
    return ClientConfig.defaults()
        .withTurnBacks(
            new TurnBackPolicy(Backoff.fixed(Duration.ofMillis(10)), maxTurnBacks, ratio, burst));
  }

  private TideflowClient clientWithBlockedWorker(ClientConfig config) throws Exception {
    cluster.startWorker("w1", OverloadTurnBackTest::full);
    TideflowClient client = cluster.client(config);
    client.submit(TaskSpec.builder("block").build());
    assertThat(blocking.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    return client;
  }

  @Test
  void aTaskTurnedBackOverloadedIsPlacedAgainOnceThereIsRoomAndCostsNoAttempt() throws Exception {
    TideflowClient client = clientWithBlockedWorker(turningBack(1_000, 1.0, 1_000));
    CompletableFuture<TaskResult> echo =
        client.submit(TaskSpec.builder("echo").maxAttempts(1).build());
    await()
        .atMost(WAIT)
        .until(
            () ->
                cluster
                        .metrics
                        .counter("tideflow.client.tasks.turned_back", "reason", "overloaded")
                        .count()
                    >= 2);
    assertThat(echo).isNotDone();

    release.countDown();

    assertThat(echo.get(WAIT.toSeconds(), TimeUnit.SECONDS).attempts())
        .as("turned back unrun, it still counts as its first attempt")
        .isEqualTo(1);
    assertThat(
            cluster
                .metrics
                .find("tideflow.worker.tasks.rejected")
                .tag("reason", "overloaded")
                .functionCounter()
                .count())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void aTaskTurnedBackMoreOftenThanTheLimitFailsOverloadedNamingTheLimit() throws Exception {
    TideflowClient client = clientWithBlockedWorker(turningBack(3, 1.0, 1_000));

    CompletableFuture<TaskResult> echo = client.submit(TaskSpec.builder("echo").build());

    await().atMost(WAIT).until(echo::isDone);
    TaskException e = failure(echo);
    assertThat(e.kind()).isEqualTo(TaskException.Kind.OVERLOADED);
    assertThat(e.getMessage())
        .startsWith(
            "task was turned back 4 times, more than the limit of 3"
                + " (TurnBackPolicy.maxTurnBacks); last from w1: worker overloaded");
  }

  @Test
  void aTaskTurnedBackWhileTheRetryBudgetIsSpentFailsAtOnceNamingTheBudget() throws Exception {
    TideflowClient client = clientWithBlockedWorker(turningBack(1_000, 0.0, 0));

    CompletableFuture<TaskResult> echo = client.submit(TaskSpec.builder("echo").build());

    await().atMost(WAIT).until(echo::isDone);
    TaskException e = failure(echo);
    assertThat(e.kind()).isEqualTo(TaskException.Kind.OVERLOADED);
    assertThat(e.getMessage()).contains("retry budget was spent").contains("budgetRatio");
    assertThat(
            cluster
                .metrics
                .counter("tideflow.client.tasks.turn_back_refused", "bound", "budget")
                .count())
        .isEqualTo(1);
  }

  @Test
  void aTaskTurnedBackGoesToAnotherNodeWhenOneFits() throws Exception {
    TideflowClient client = clientWithBlockedWorker(turningBack(1, 1.0, 1_000));
    cluster.startWorker("w2");
    // Until the client's stream to w2 works, probes go to w1 and are turned back there.
    await()
        .atMost(WAIT)
        .until(
            () -> {
              try {
                return client
                    .submit(TaskSpec.builder("echo").build())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .nodeId()
                    .equals("w2");
              } catch (ExecutionException e) {
                return false; // turned back from w1 while w2 was not usable yet: expected
              }
            });

    // Once turned back, a task sent to w1 again would fail (limit 1): each must go to w2.
    List<CompletableFuture<TaskResult>> echoes = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      echoes.add(client.submit(TaskSpec.builder("echo").build()));
    }

    for (CompletableFuture<TaskResult> echo : echoes) {
      assertThat(echo.get(WAIT.toSeconds(), TimeUnit.SECONDS).nodeId()).isEqualTo("w2");
    }
  }
}
