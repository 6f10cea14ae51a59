package io.tideflow.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.NodeState;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.CutOffStore;
import io.tideflow.runtime.membership.FaultyStore;
import io.tideflow.runtime.membership.WatchHealths;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoordinatorTest {
  private final MemoryClusterStore store = new MemoryClusterStore();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final Duration ttl = Duration.ofSeconds(1);

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void exactlyOneCandidateLeadsAndAnotherTakesOverWhenItsLeaseEnds() {
    try (Coordinator a = Coordinator.start("a", store, ttl, Duration.ofSeconds(5), metrics);
        Coordinator b = Coordinator.start("b", store, ttl, Duration.ofSeconds(5), metrics)) {
      await().until(() -> a.isLeader() || b.isLeader());
      Coordinator leader = a.isLeader() ? a : b;
      Coordinator standby = leader == a ? b : a;
      assertThat(standby.isLeader()).isFalse();
      long firstToken = leader.fencingToken();

      leader.close();
      await().atMost(Duration.ofSeconds(2)).until(standby::isLeader);
      assertThat(standby.fencingToken()).isGreaterThan(firstToken);
    }
  }

  @Test
  void theLeadersWatchHealthIsStoredRecoveringWhileItsWatchIsAndFollowingOnceItRecovered()
      throws Exception {
    // Keeps two events: a few writes compact what a cut watch missed.
    MemoryClusterStore small =
        new MemoryClusterStore(
            InstantSource.system(), MemoryClusterStore.DEFAULT_EXPIRY_CHECK_INTERVAL, 2);
    FaultyStore faulty = new FaultyStore(small);
    try (Coordinator c = Coordinator.start("c", faulty, ttl, Duration.ofSeconds(5), metrics)) {
      await().until(c::isLeader);
      await().until(() -> watchHealth(small).map(WatchHealths.Report::healthy).orElse(false));

      faulty.cutWatches();
      faulty.failLists(ClusterKeys.NODES, 1_000); // the recovery cannot list the nodes again
      for (int i = 0; i < 3; i++) {
        small.put("/unrelated/" + i, new byte[] {1}, 0).get(5, TimeUnit.SECONDS);
      }
      faulty.reconnectWatches();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> watchHealth(small).map(r -> !r.healthy()).orElse(false));
      WatchHealths.Report down = watchHealth(small).orElseThrow();
      assertThat(down.holder()).isEqualTo("c");
      assertThat(down.lastError()).isNotEmpty();
      assertThat(down.lastErrorAtMillis()).isPositive();

      faulty.failLists(ClusterKeys.NODES, 0);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> watchHealth(small).map(r -> r.healthy() && r.restarts() >= 1).orElse(false));
    } finally {
      small.close();
    }
  }

  private static Optional<WatchHealths.Report> watchHealth(ClusterStore store) throws Exception {
    return store
        .get(ClusterKeys.watch("coordinator"))
        .get(5, TimeUnit.SECONDS)
        .map(kv -> WatchHealths.decode(kv.value()));
  }

  @Test
  void aLeaderCutOffFromTheStoreStaysLeaderButHoldsItsActionsUntilTheStoreAnswers() {
    CutOffStore cutOff = new CutOffStore(store);
    try (Coordinator c = Coordinator.start("c", cutOff, ttl, Duration.ofSeconds(5), metrics)) {
      await().until(c::mayAct);
      long token = c.fencingToken();

      cutOff.cut = true;
      cutOff.unconfirmed = ttl.multipliedBy(30);

      assertThat(c.isLeader()).as("only the store can end a leadership").isTrue();
      assertThat(c.mayAct()).isFalse();

      cutOff.cut = false;
      cutOff.unconfirmed = Duration.ZERO;
      assertThat(c.mayAct()).isTrue();
      assertThat(c.fencingToken()).as("the same leadership, not a new one").isEqualTo(token);
    }
  }

  @Test
  void theLeaderSeesNodesJoinAndMarksANodeWhoseLeaseExpiredGone() {
    List<Coordinator.MembershipEvent> events = new CopyOnWriteArrayList<>();
    try (Coordinator c = Coordinator.start("c", store, ttl, Duration.ofSeconds(5), metrics)) {
      c.onMembershipChange(events::add);
      await().until(c::isLeader);
      WorkerNode w =
          WorkerNode.start(
              WorkerConfig.defaults("w1").withLeaseTtl(ttl),
              store,
              TaskHandlers.builtins(),
              metrics);
      await().until(() -> events.stream().anyMatch(e -> e.to() == NodeState.READY));

      store.suspendKeepAlive(w.registration().lease().id());
      w.kill();
      await()
          .atMost(Duration.ofSeconds(3))
          .until(
              () ->
                  events.stream()
                      .anyMatch(e -> e.nodeId().equals("w1") && e.to() == NodeState.GONE));
      await().until(() -> store.get(ClusterKeys.gone("w1")).join().isPresent());
      assertThat(events).allMatch(e -> e.fencingToken() == c.fencingToken());
      assertThat(lost("c")).as("w1 left without a drain").isEqualTo(1);

      // A node drained before it leaves is not lost.
      WorkerNode w2 =
          WorkerNode.start(
              WorkerConfig.defaults("w2").withLeaseTtl(ttl),
              store,
              TaskHandlers.builtins(),
              metrics);
      await()
          .until(
              () ->
                  events.stream()
                      .anyMatch(e -> e.nodeId().equals("w2") && e.to() == NodeState.READY));
      w2.drain(Duration.ofSeconds(5));
      await()
          .until(
              () ->
                  events.stream()
                      .anyMatch(e -> e.nodeId().equals("w2") && e.to() == NodeState.DRAINING));
      w2.close();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  events.stream()
                      .anyMatch(e -> e.nodeId().equals("w2") && e.to() == NodeState.GONE));
      assertThat(lost("c")).isEqualTo(1);
    }
  }

  private double lost(String candidate) {
    return metrics
        .get("tideflow.coordinator.nodes.lost")
        .tag("candidate", candidate)
        .counter()
        .count();
  }

  @Test
  void aLeaderWhoseStoreFailsAsItTakesOverStepsDownAndLeadsOnceTheStoreAnswers() {
    FaultyStore faulty = new FaultyStore(store);
    faulty.failLists(ClusterKeys.NODES, 1);
    List<Boolean> changes = new CopyOnWriteArrayList<>();
    List<Coordinator.MembershipEvent> events = new CopyOnWriteArrayList<>();
    try (Coordinator c = Coordinator.start("c", faulty, ttl, Duration.ofSeconds(5), metrics)) {
      c.onLeadershipChange(changes::add);
      c.onMembershipChange(events::add);
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.contains(true));
      assertThat(changes).endsWith(true);
      assertThat(c.isLeader()).isTrue();
      assertThat(faulty.listCalls(ClusterKeys.NODES)).isEqualTo(2);
      assertThat(
              metrics
                  .get("tideflow.membership.watch.healthy")
                  .tag("watcher", "coordinator-c")
                  .gauge()
                  .value())
          .isEqualTo(1);

      WorkerNode w =
          WorkerNode.start(
              WorkerConfig.defaults("w1").withLeaseTtl(ttl),
              store,
              TaskHandlers.builtins(),
              metrics);
      try {
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> events.stream().anyMatch(e -> e.nodeId().equals("w1")));
      } finally {
        w.close();
      }
    }
  }

  @Test
  void aStandbyWinsWhenTheLeaderCannotTakeUpLeadership() {
    FaultyStore faulty = new FaultyStore(store);
    faulty.failLists(ClusterKeys.NODES, Integer.MAX_VALUE);
    try (Coordinator a = Coordinator.start("a", faulty, ttl, Duration.ofSeconds(5), metrics)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> faulty.listCalls() >= 1);
      try (Coordinator b = Coordinator.start("b", store, ttl, Duration.ofSeconds(5), metrics)) {
        await().atMost(Duration.ofSeconds(5)).until(b::isLeader);
        assertThat(a.isLeader()).isFalse();
        assertThat(store.leader(ClusterKeys.COORDINATOR_ELECTION).join())
            .hasValueSatisfying(l -> assertThat(l.candidate()).isEqualTo("b"));
      }
    }
  }
}
