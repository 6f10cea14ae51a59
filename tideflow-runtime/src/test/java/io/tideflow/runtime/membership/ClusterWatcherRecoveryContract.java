package io.tideflow.runtime.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.retry.Backoff;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.RevisionCompactedException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a {@link ClusterWatcher} does when its watch is cut off and the store compacts the revisions
 * it missed, on any store. Implementations give the store and a way to compact it.
 */
abstract class ClusterWatcherRecoveryContract {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
  static final Backoff BACKOFF = Backoff.fixed(Duration.ofMillis(20));

  /** The real store under test. */
  abstract ClusterStore store();

  /** Drops the store's history up to its current revision. */
  abstract void compact() throws Exception;

  @Test
  void relistsAfterACompactionAndSeesTheNodesThatJoinedAndLeftMeanwhile() throws Exception {
    FaultyStore faulty = new FaultyStore(store());
    register("stays");
    register("leaves");
    List<ClusterView> views = new CopyOnWriteArrayList<>();
    try (ClusterWatcher watcher =
        ClusterWatcher.start(faulty, TIMEOUT, InstantSource.fixed(NOW), BACKOFF)) {
      watcher.onChange(views::add);
      assertThat(ids(watcher.view())).containsExactlyInAnyOrder("stays", "leaves");

      faulty.cutWatches();
      store().delete(ClusterKeys.node("leaves")).get(10, TimeUnit.SECONDS);
      register("joined");
      compact();
      faulty.reconnectWatches();

      await()
          .atMost(TIMEOUT)
          .until(() -> ids(watcher.view()).equals(List.of("joined", "stays")) && watcher.healthy());
      assertThat(views).anySatisfy(v -> assertThat(ids(v)).containsExactly("joined", "stays"));
      PrefixWatch.Health health = watcher.health();
      assertThat(health.restarts()).isEqualTo(1);
      assertThat(health.errors()).isEqualTo(1);
      assertThat(health.lastError()).isInstanceOf(RevisionCompactedException.class);
      assertThat(health.lastErrorAt()).isEqualTo(NOW);
      assertThat(watcher.failure()).isNull();

      register("after");
      await().atMost(TIMEOUT).until(() -> ids(watcher.view()).contains("after"));
      store().delete(ClusterKeys.node("stays")).get(10, TimeUnit.SECONDS);
      await().atMost(TIMEOUT).until(() -> ids(watcher.view()).equals(List.of("after", "joined")));
    }
  }

  @Test
  void keepsListingWhileTheStoreFailsAndFollowsItOnceItAnswers() throws Exception {
    FaultyStore faulty = new FaultyStore(store());
    register("first");
    try (ClusterWatcher watcher =
        ClusterWatcher.start(faulty, TIMEOUT, InstantSource.fixed(NOW), BACKOFF)) {
      faulty.cutWatches();
      register("second");
      compact();
      faulty.failLists(ClusterKeys.NODES, 3);
      faulty.reconnectWatches();

      await()
          .atMost(TIMEOUT)
          .until(() -> ids(watcher.view()).contains("second") && watcher.healthy());
      assertThat(faulty.listCalls()).isEqualTo(1 + 3 + 1);
      PrefixWatch.Health health = watcher.health();
      assertThat(health.errors()).isEqualTo(1 + 3);
      assertThat(health.restarts()).isEqualTo(1);

      register("third");
      await().atMost(TIMEOUT).until(() -> ids(watcher.view()).contains("third"));
    }
  }

  @Test
  void stopsRecoveringWhenClosed() throws Exception {
    FaultyStore faulty = new FaultyStore(store());
    register("only");
    ClusterWatcher watcher =
        ClusterWatcher.start(faulty, TIMEOUT, InstantSource.fixed(NOW), BACKOFF);
    faulty.cutWatches();
    register("unseen");
    compact();
    faulty.failLists(ClusterKeys.NODES, Integer.MAX_VALUE);
    faulty.reconnectWatches();
    await().atMost(TIMEOUT).until(() -> faulty.listCalls() >= 3);
    assertThat(watcher.healthy()).isFalse();
    assertThat(watcher.failure()).isInstanceOf(RevisionCompactedException.class);

    watcher.close();
    int calls = faulty.listCalls();
    register("later");
    assertThat(watcher.healthy()).isFalse();
    assertThat(ids(watcher.view())).containsExactly("only");
    assertThat(faulty.listCalls()).isEqualTo(calls);
  }

  void register(String id) throws Exception {
    NodeInfo node =
        new NodeInfo(
            id,
            "test",
            "127.0.0.1:1",
            Map.of(),
            Resources.of(1000, 1L << 30),
            NodeState.READY,
            LoadReport.NONE);
    store().put(ClusterKeys.node(id), NodeRecords.encode(node), 0).get(10, TimeUnit.SECONDS);
  }

  static List<String> ids(ClusterView view) {
    return view.nodes().stream().map(NodeInfo::id).sorted().toList();
  }
}
