package io.tideflow.runtime.provider;

import static io.tideflow.runtime.provider.InProcessNodeProviderTest.SMALL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WarmPoolTest {
  private final MemoryClusterStore store = new MemoryClusterStore();
  private final InProcessNodeProvider inProcess =
      new InProcessNodeProvider(store, TaskHandlers.builtins(), new SimpleMeterRegistry());
  private final ClusterWatcher registry = ClusterWatcher.start(store, Duration.ofSeconds(5));
  private final WarmPool pool = new WarmPool(inProcess, SMALL, 2);

  @AfterEach
  void close() {
    registry.close();
    pool.close();
    store.close();
  }

  @Test
  void warmNodesAreStartedButInvisibleToTheClusterUntilHandedOut() {
    await().atMost(Duration.ofSeconds(10)).until(() -> pool.warmNodes() == 2);

    assertThat(registry.view().nodes()).as("warm nodes get no work: not registered").isEmpty();
    assertThat(pool.nodes()).as("nor listed as launched").isEmpty();
  }

  @Test
  void aLaunchHandsOutAPreStartedNodeThatRegistersReadyAndThePoolRefills() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> pool.warmNodes() == 2);

    LaunchResult result = pool.launch(SMALL, 1, "r1").get(10, TimeUnit.SECONDS);

    assertThat(result.ok()).as("errors %s", result.errors()).isTrue();
    String id = result.started().get(0);
    assertThat(id).as("a pre-started node, not a new one").isIn("small-1", "small-2");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(registry.view().node(id)).isNotNull();
      assertThat(registry.view().node(id).state()).isEqualTo(NodeState.READY);
    });
    assertThat(pool.lastHandOut()).isPresent();
    assertThat(pool.nodes()).extracting(ProvidedNode::nodeId).containsExactly(id);
    await().atMost(Duration.ofSeconds(10)).until(() -> pool.warmNodes() == 2);
    assertThat(registry.view().nodes()).as("the refilled node stays invisible").hasSize(1);
  }

  @Test
  void aLaunchLargerThanThePoolStartsTheRemainderCold() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> pool.warmNodes() == 2);

    LaunchResult result = pool.launch(SMALL, 3, "r1").get(10, TimeUnit.SECONDS);

    assertThat(result.ok()).as("errors %s", result.errors()).isTrue();
    assertThat(result.started()).hasSize(3).contains("small-1", "small-2");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().nodes().size() == 3);
    assertThat(pool.handOutTimes()).hasSize(2);
  }

  @Test
  void repeatingARequestIdHandsOutNothingMore() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> pool.warmNodes() == 2);
    LaunchResult first = pool.launch(SMALL, 1, "same").get(10, TimeUnit.SECONDS);

    LaunchResult again = pool.launch(SMALL, 1, "same").get(10, TimeUnit.SECONDS);

    assertThat(again).isEqualTo(first);
    assertThat(pool.nodes()).hasSize(1);
    assertThat(pool.handOutTimes()).hasSize(1);
  }

  @Test
  void handedOutNodesTerminateThroughThePoolAndLeaveTheRegistry() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> pool.warmNodes() == 2);
    String id = pool.launch(SMALL, 1, "r1").get(10, TimeUnit.SECONDS).started().get(0);
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node(id) != null);

    pool.terminate(List.of(id), "t1").get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node(id) == null);
    assertThat(pool.nodes()).isEmpty();
  }

  @Test
  void otherTemplatesGoStraightToTheDelegate() throws Exception {
    NodeTemplate big = new NodeTemplate(
        "big", Resources.of(8_000, 1L << 30), Map.of(), Duration.ofSeconds(2));

    LaunchResult result = pool.launch(big, 1, "r1").get(10, TimeUnit.SECONDS);

    assertThat(result.started()).containsExactly("big-1");
    assertThat(pool.handOutTimes()).isEmpty();
  }

  @Test
  void aDelegateThatCannotKeepStandbyNodesIsRejected() {
    NodeProvider plain = new FailingProvider("plain");

    assertThatThrownBy(() -> new WarmPool(plain, SMALL, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plain").hasMessageContaining("StandbyLauncher");
  }
}
