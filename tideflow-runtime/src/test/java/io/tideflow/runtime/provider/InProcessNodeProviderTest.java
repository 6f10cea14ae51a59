package io.tideflow.runtime.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.ManualClock;
import io.tideflow.store.memory.MemoryClusterStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InProcessNodeProviderTest {
  static final NodeTemplate SMALL =
      new NodeTemplate(
          "small", Resources.of(2_000, 512L << 20), Map.of("tier", "test"), Duration.ofSeconds(2));

  private final MemoryClusterStore store = new MemoryClusterStore();
  private final InProcessNodeProvider provider =
      new InProcessNodeProvider(store, TaskHandlers.builtins(), new SimpleMeterRegistry());
  private final ClusterWatcher registry = ClusterWatcher.start(store, Duration.ofSeconds(5));

  @AfterEach
  void close() {
    registry.close();
    provider.close();
    store.close();
  }

  @Test
  void launchedNodesRegisterReadyWithTheTemplatesLabelsAndCapacity() throws Exception {
    LaunchResult result = provider.launch(SMALL, 3, "r1").get(10, TimeUnit.SECONDS);

    assertThat(result.ok()).as("errors %s", result.errors()).isTrue();
    assertThat(result.started()).containsExactlyInAnyOrder("small-1", "small-2", "small-3");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              for (String id : result.started()) {
                NodeInfo node = registry.view().node(id);
                assertThat(node).as(id).isNotNull();
                assertThat(node.state()).isEqualTo(NodeState.READY);
                assertThat(node.provider()).isEqualTo("in-process");
                assertThat(node.labels()).containsEntry("tier", "test");
                assertThat(node.capacity()).isEqualTo(SMALL.capacity());
              }
            });
    assertThat(provider.nodes())
        .extracting(ProvidedNode::status)
        .containsOnly(ProvidedNode.Status.RUNNING)
        .hasSize(3);
    assertThat(provider.health().healthy()).isTrue();
  }

  @Test
  void terminatedNodesLeaveTheRegistryAndTheProvidersList() throws Exception {
    LaunchResult result = provider.launch(SMALL, 2, "r1").get(10, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> registry.view().node(result.started().get(0)) != null);

    provider.terminate(List.of("small-1", "no-such-node"), "t1").get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node("small-1") == null);
    assertThat(registry.view().node("small-2")).isNotNull();
    assertThat(provider.nodes()).extracting(ProvidedNode::nodeId).containsExactly("small-2");
  }

  @Test
  void repeatingALaunchRequestIdReturnsTheFirstResultAndStartsNothingMore() throws Exception {
    LaunchResult first = provider.launch(SMALL, 2, "same").get(10, TimeUnit.SECONDS);
    LaunchResult again = provider.launch(SMALL, 2, "same").get(10, TimeUnit.SECONDS);

    assertThat(again).isEqualTo(first);
    assertThat(provider.nodes()).hasSize(2);
    LaunchResult other = provider.launch(SMALL, 1, "other").get(10, TimeUnit.SECONDS);
    assertThat(other.started()).containsExactly("small-3");
  }

  @Test
  void aNodeThatCannotStartIsAnErrorInTheResultAndMakesTheProviderUnhealthy() throws Exception {
    store.close(); // registration now fails

    LaunchResult result = provider.launch(SMALL, 1, "r1").get(20, TimeUnit.SECONDS);

    assertThat(result.started()).isEmpty();
    assertThat(result.errors()).singleElement().asString().startsWith("small-1: ");
    assertThat(provider.health().healthy()).isFalse();
    assertThat(provider.health().consecutiveFailures()).isEqualTo(1);
    assertThat(provider.nodes()).isEmpty();
  }

  @Test
  void closingStopsEveryNode() throws Exception {
    provider.launch(SMALL, 2, "r1").get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().nodes().size() == 2);

    provider.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().nodes().isEmpty());
    assertThat(provider.nodes()).isEmpty();
  }

  @Test
  void nodesAreStampedAndWorkersReportLoadOnTheProvidersClock() throws Exception {
    ManualClock clock = new ManualClock();
    try (InProcessNodeProvider timed =
        new InProcessNodeProvider(
            store, TaskHandlers.builtins(), new SimpleMeterRegistry(), clock)) {
      clock.advance(Duration.ofHours(3));

      String id = timed.launch(SMALL, 1, "r1").get(10, TimeUnit.SECONDS).started().get(0);

      assertThat(timed.nodes())
          .singleElement()
          .satisfies(n -> assertThat(n.since()).isEqualTo(clock.instant()));
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node(id) != null);
      assertThat(registry.view().node(id).load().reportedAtMillis()).isEqualTo(clock.millis());
    }
  }

  @Test
  void theWorkersItStartsTimeTasksOutOnTheProvidersClock() throws Exception {
    ManualClock clock = new ManualClock();
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (InProcessNodeProvider timed =
            new InProcessNodeProvider(store, TaskHandlers.builtins(), metrics, clock);
        TideflowClient client = TideflowClient.connect(store, ClientConfig.defaults(), metrics)) {
      String id = timed.launch(SMALL, 1, "r1").get(10, TimeUnit.SECONDS).started().get(0);
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node(id) != null);
      Duration timeout = Duration.ofMinutes(10); // only the moved clock reaches it
      CompletableFuture<TaskResult> sleeping =
          client.submit(
              TaskSpec.builder("sleep")
                  .payload("600000".getBytes(StandardCharsets.US_ASCII))
                  .timeout(timeout)
                  .build());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  metrics.get("tideflow.worker.tasks.in_flight").tag("node", id).gauge().value()
                      == 1.0);

      clock.advance(timeout.plusMillis(1));

      assertThat(sleeping)
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(
              TaskException.class,
              e -> assertThat(e.kind()).isEqualTo(TaskException.Kind.TIMED_OUT));
    }
  }
}
