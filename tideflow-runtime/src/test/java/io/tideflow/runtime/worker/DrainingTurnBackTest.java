package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.core.retry.Backoff;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.client.TurnBackPolicy;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node that drains while the registry cannot be told so still looks READY: the client used to
 * send the same task back to it for ever, since a draining rejection costs no attempt.
 */
class DrainingTurnBackTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void aTaskBouncingOnADrainingNodeTheRegistryStillListsFailsAfterTheTurnBackLimit()
      throws Exception {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    MemoryClusterStore memory = new MemoryClusterStore();
    FailingPutsStore store = new FailingPutsStore(memory);
    try (memory;
        WorkerNode node =
            WorkerNode.start(WorkerConfig.defaults("w1"), store, TaskHandlers.builtins(), metrics);
        TideflowClient client =
            TideflowClient.connect(
                memory,
                ClientConfig.defaults()
                    .withReconnectBackoff(Backoff.fixed(Duration.ofMillis(10)))
                    .withTurnBacks(
                        new TurnBackPolicy(Backoff.fixed(Duration.ofMillis(10)), 3, 0.2, 100)),
                metrics)) {
      await().atMost(WAIT).until(() -> client.view().countByState().get(NodeState.READY) == 1);
      store.failPuts = true;
      catchThrowable(() -> node.drain(Duration.ofSeconds(1))); // refuses tasks; registry unaware

      CompletableFuture<TaskResult> echo = client.submit(TaskSpec.builder("echo").build());

      Throwable failed = catchThrowable(() -> echo.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      assertThat(failed).isInstanceOf(ExecutionException.class);
      TaskException e = (TaskException) failed.getCause();
      assertThat(e.kind()).isEqualTo(TaskException.Kind.OVERLOADED);
      assertThat(e.getMessage())
          .startsWith("task was turned back 4 times, more than the limit of 3")
          .contains("last from w1: worker is draining");
      assertThat(metrics.counter("tideflow.client.tasks.turned_back", "reason", "draining").count())
          .isEqualTo(4);
    }
  }
}
