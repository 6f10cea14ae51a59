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
import io.tideflow.store.ManualClock;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
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
    NodeTemplate big =
        new NodeTemplate("big", Resources.of(8_000, 1L << 30), Map.of(), Duration.ofSeconds(2));

    LaunchResult result = pool.launch(big, 1, "r1").get(10, TimeUnit.SECONDS);

    assertThat(result.started()).containsExactly("big-1");
    assertThat(pool.handOutTimes()).isEmpty();
  }

  @Test
  void aDelegateThatCannotKeepStandbyNodesIsRejected() {
    NodeProvider plain = new FailingProvider("plain");

    assertThatThrownBy(() -> new WarmPool(plain, SMALL, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plain")
        .hasMessageContaining("StandbyLauncher");
  }

  @Test
  void aHandOutIsTimedOnThePoolsClockFromTheLaunchUntilTheNodeIsActive() throws Exception {
    HeldStandbys held = new HeldStandbys();
    ManualClock clock = new ManualClock();
    try (WarmPool timed = new WarmPool(held, SMALL, 1, clock)) {
      assertThat(timed.warmNodes()).isEqualTo(1);

      CompletableFuture<LaunchResult> launch = timed.launch(SMALL, 1, "r1");
      clock.advance(Duration.ofMillis(750));
      held.activations.get(0).complete(null);

      assertThat(launch.get(10, TimeUnit.SECONDS).started()).containsExactly("held-1");
      assertThat(timed.handOutTimes()).containsExactly(Duration.ofMillis(750));
    }
  }

  /** Standby nodes prepared at once whose activations the test completes by hand. */
  private static final class HeldStandbys implements NodeProvider, StandbyLauncher {
    final List<CompletableFuture<Void>> activations = new CopyOnWriteArrayList<>();
    private final AtomicInteger prepared = new AtomicInteger();

    @Override
    public CompletableFuture<StandbyNode> prepare(NodeTemplate template) {
      String id = "held-" + prepared.incrementAndGet();
      CompletableFuture<Void> activation = new CompletableFuture<>();
      activations.add(activation);
      return CompletableFuture.completedFuture(
          new StandbyNode() {
            @Override
            public String nodeId() {
              return id;
            }

            @Override
            public CompletableFuture<Void> activate() {
              return activation;
            }

            @Override
            public void discard() {
              activation.cancel(false);
            }
          });
    }

    @Override
    public String name() {
      return "held";
    }

    @Override
    public CompletableFuture<LaunchResult> launch(NodeTemplate t, int count, String requestId) {
      return CompletableFuture.completedFuture(
          new LaunchResult(requestId, List.of(), List.of("held: launches only warm nodes")));
    }

    @Override
    public CompletableFuture<Void> terminate(Collection<String> nodeIds, String requestId) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public List<ProvidedNode> nodes() {
      return List.of();
    }

    @Override
    public ProviderHealth health() {
      return new ProviderHealth(true, 0, "held");
    }

    @Override
    public void close() {
      // Holds nothing but futures.
    }
  }
}
