package io.tideflow.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.autoscale.Autoscaler;
import io.tideflow.core.autoscale.MetricsWindow;
import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.autoscale.PoolState;
import io.tideflow.core.autoscale.ScalingDecision;
import io.tideflow.core.autoscale.ScalingPolicy;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.provider.LaunchResult;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.runtime.provider.ProvidedNode;
import io.tideflow.runtime.provider.ProviderHealth;
import io.tideflow.store.ManualClock;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A provider that throws instead of failing its future must not stall the pool. */
class ThrowingProviderTest {
  private final ManualClock clock = new ManualClock();
  private final AtomicInteger launches = new AtomicInteger();
  private final AtomicInteger terminates = new AtomicInteger();

  /** Lists one node that never registers ("ghost"); its terminate throws. */
  private final NodeProvider provider =
      new NodeProvider() {
        @Override
        public String name() {
          return "throwing";
        }

        @Override
        public CompletableFuture<LaunchResult> launch(NodeTemplate t, int n, String id) {
          launches.incrementAndGet();
          return CompletableFuture.completedFuture(new LaunchResult(id, List.of(), List.of()));
        }

        @Override
        public CompletableFuture<Void> terminate(Collection<String> ids, String id) {
          terminates.incrementAndGet();
          throw new IllegalStateException("the SDK threw instead of failing its future");
        }

        @Override
        public List<ProvidedNode> nodes() {
          return List.of(
              new ProvidedNode(
                  "ghost", "web", "throwing", ProvidedNode.Status.RUNNING, clock.instant(), ""));
        }

        @Override
        public ProviderHealth health() {
          return new ProviderHealth(true, 0, "");
        }

        @Override
        public void close() {}
      };

  private static final ScalingPolicy KEEP =
      new ScalingPolicy() {
        @Override
        public ScalingDecision decide(MetricsWindow w, PoolState p, Instant now) {
          return ScalingDecision.keep(p.current(), "keep");
        }

        @Override
        public String name() {
          return "keep";
        }
      };

  @Test
  void aLostNodeWhoseTerminateThrowsIsTriedAgainAndThePoolStillGrowsToItsMinimum() {
    NodeTemplate template =
        new NodeTemplate(
            "web",
            Resources.of(1000, 1L << 30),
            Map.of(PoolConfig.POOL_LABEL, "web"),
            Duration.ofSeconds(2));
    try (MemoryClusterStore store = new MemoryClusterStore(clock);
        ClusterWatcher watcher = ClusterWatcher.start(store, Duration.ofSeconds(5));
        PoolAutoscaler autoscaler =
            new PoolAutoscaler(
                new PoolConfig(
                    "web",
                    template,
                    Duration.ofHours(1), // the test ticks by hand
                    Duration.ofMinutes(5),
                    Duration.ofSeconds(5),
                    100),
                new Autoscaler(
                    List.of(KEEP), new PoolLimits(1, 8, Duration.ZERO, Duration.ZERO, 2.0)),
                provider,
                watcher,
                clock,
                () -> 1)) {
      autoscaler.tick();
      clock.advance(Duration.ofSeconds(5)); // missing for more than twice its 2 s lease: lost
      autoscaler.tick(); // terminates the ghost (throws) and launches one for the minimum

      await().atMost(Duration.ofSeconds(5)).until(() -> launches.get() == 1);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> autoscaler.terminationRetries().getOrDefault("ghost", 0) == 1);
      clock.advance(PoolAutoscaler.TERMINATION_BACKOFF.initial().plusMillis(1));
      autoscaler.tick();

      assertThat(terminates).hasValue(2);
    }
  }
}
