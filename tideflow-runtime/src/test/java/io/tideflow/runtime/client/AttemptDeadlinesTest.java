package io.tideflow.runtime.client;

import static io.tideflow.runtime.client.TaskSubmissionTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.ManualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's deadline sweep, driven by a manual clock: deadlines are minutes long, so only the
 * clock can make them pass while the test runs, and they pass exactly when the clock says.
 */
class AttemptDeadlinesTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(1);

  /** Long enough for several sweeps of the client's timer to look at a deadline not yet due. */
  private static final Duration SEVERAL_SWEEPS = Duration.ofMillis(300);

  private final CountDownLatch release = new CountDownLatch(1);
  private final EmbeddedCluster cluster =
      new EmbeddedCluster(
          TaskHandlers.builtins()
              .with(
                  "held",
                  p -> {
                    release.await(); // runs until the test ends
                    return p;
                  }));
  private final ManualClock clock = new ManualClock();

  @AfterEach
  void close() {
    release.countDown();
    cluster.close();
  }

  private TideflowClient client() {
    TideflowClient client = cluster.client(ClientConfig.defaults().withClock(clock));
    await().until(() -> client.view().countByState().get(NodeState.READY) == 1);
    return client;
  }

  private static void notAnsweredForSeveralSweeps(CompletableFuture<?> f) {
    await().during(SEVERAL_SWEEPS).atMost(SEVERAL_SWEEPS.multipliedBy(3)).until(() -> !f.isDone());
  }

  @Test
  void aTaskInFlightIsAnsweredTimedOutOnceItsDeadlinePassesOnTheClock() {
    cluster.startWorker("w1");
    TideflowClient client = client();
    CompletableFuture<TaskResult> f =
        client.submit(TaskSpec.builder("held").timeout(TIMEOUT).build());
    await().until(() -> client.stats().inFlight() == 1);

    clock.advance(TIMEOUT); // at the deadline, not past it
    notAnsweredForSeveralSweeps(f);
    clock.advance(Duration.ofMillis(1));

    TaskException e = failure(f);
    assertThat(e.kind()).isEqualTo(TaskException.Kind.TIMED_OUT);
    assertThat(e.getMessage()).isEqualTo("task timed out after PT1M on node w1");
    assertThat(client.stats().inFlight()).as("forgotten on its stream").isZero();
  }

  @Test
  void aTaskWaitingForABusyWorkerTimesOutOnTheClockWhileTheBusyOneRunsOn() {
    cluster.startWorker("w1", c -> c.withStreamCredits(1));
    TideflowClient client = client();
    CompletableFuture<TaskResult> busy =
        client.submit(TaskSpec.builder("held").timeout(TIMEOUT.multipliedBy(2)).build());
    await().until(() -> client.stats().inFlight() == 1);
    CompletableFuture<TaskResult> queued =
        client.submit(TaskSpec.builder("echo").timeout(TIMEOUT).build());
    assertThat(client.stats().waiting()).isEqualTo(1);

    clock.advance(TIMEOUT.plusMillis(1));

    TaskException e = failure(queued);
    assertThat(e.kind()).isEqualTo(TaskException.Kind.TIMED_OUT);
    assertThat(e.getMessage()).contains("waiting for a worker with free capacity");
    assertThat(client.stats().waiting()).isZero();
    notAnsweredForSeveralSweeps(busy);
  }
}
