package io.tideflow.runtime.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryClusterWatcherRecoveryTest extends ClusterWatcherRecoveryContract {
  /** Keeps only the last {@value} events, so a few writes compact what a cut watch missed. */
  private static final int HISTORY = 2;

  private final MemoryClusterStore store =
      new MemoryClusterStore(
          InstantSource.system(), MemoryClusterStore.DEFAULT_EXPIRY_CHECK_INTERVAL, HISTORY);

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Override
  ClusterStore store() {
    return store;
  }

  @Override
  void compact() throws Exception {
    for (int i = 0; i <= HISTORY; i++) {
      store.put("/unrelated/" + i, new byte[] {1}, 0).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void reportsItsHealthAsMetersAndRemovesThemOnClose() throws Exception {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    FaultyStore faulty = new FaultyStore(store);
    register("a");
    ClusterWatcher watcher =
        ClusterWatcher.start(faulty, TIMEOUT, InstantSource.fixed(NOW), BACKOFF, metrics, "test");
    assertThat(
            metrics.get("tideflow.membership.watch.healthy").tag("watcher", "test").gauge().value())
        .isEqualTo(1);

    faulty.cutWatches();
    register("b");
    compact();
    faulty.reconnectWatches();
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                metrics
                        .get("tideflow.membership.watch.restarts")
                        .tag("watcher", "test")
                        .functionCounter()
                        .count()
                    == 1);
    await().atMost(TIMEOUT).until(watcher::healthy);
    assertThat(metrics.get("tideflow.membership.watch.errors").functionCounter().count())
        .isEqualTo(1);
    assertThat(metrics.get("tideflow.membership.watch.healthy").gauge().value()).isEqualTo(1);

    watcher.close();
    assertThat(metrics.find("tideflow.membership.watch.healthy").gauge()).isNull();
    assertThat(metrics.getMeters()).isEmpty();
  }
}
