package io.tideflow.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.autoscale.Autoscaler;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.autoscale.HpaBehavior;
import io.tideflow.core.autoscale.PendingDemandPolicy;
import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.autoscale.PredictivePolicy;
import io.tideflow.core.autoscale.TargetTrackingPolicy;
import io.tideflow.core.forecast.LoadHistory;
import io.tideflow.core.forecast.SeasonalNaive;
import io.tideflow.core.model.LabelSelector;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.membership.DemandRecords;
import io.tideflow.runtime.provider.InProcessNodeProvider;
import io.tideflow.runtime.provider.LaunchResult;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.runtime.provider.ProvidedNode;
import io.tideflow.runtime.provider.ProviderHealth;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.Leadership;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PoolAutoscalerTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final TaskHandlers handlers =
      TaskHandlers.builtins()
          .with(
              "held",
              p -> {
                release.await();
                return p;
              });
  private final EmbeddedCluster cluster = new EmbeddedCluster(handlers);
  private final InProcessNodeProvider provider =
      new InProcessNodeProvider(cluster.store, handlers, cluster.metrics);
  private final NodeTemplate template =
      new NodeTemplate(
          "web",
          Resources.of(1000, 1 << 30),
          Map.of(PoolConfig.POOL_LABEL, "web"),
          Duration.ofSeconds(2));
  private final Leadership leader = cluster.lead();
  private ClusterWatcher watcher;
  private PoolAutoscaler autoscaler;

  @AfterEach
  void close() {
    release.countDown();
    if (autoscaler != null) {
      autoscaler.close();
    }
    if (watcher != null) {
      watcher.close();
    }
    provider.close();
    cluster.close();
  }

  /** A pool of {@code template} deciding every second, draining for at most 10 s. */
  static PoolConfig config(NodeTemplate template) {
    return new PoolConfig(
        "web", template, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(10), 100);
  }

  /** Target tracking of 4 tasks per node, between 1 and 8, shrinking with no window. */
  static Autoscaler shrinkAtOnce() {
    HpaBehavior quick =
        HpaBehavior.defaults()
            .withScaleDown(
                new HpaBehavior.Rules(
                    Duration.ZERO,
                    List.of(
                        new HpaBehavior.Limit(
                            HpaBehavior.LimitType.PERCENT, 100, Duration.ofSeconds(15))),
                    HpaBehavior.Select.MAX));
    return new Autoscaler(
        List.of(new TargetTrackingPolicy(PoolAutoscaler.CONCURRENCY, 4, 0.1, quick)),
        new PoolLimits(1, 8, Duration.ZERO, Duration.ZERO, 2.0));
  }

  @Test
  void aForecastingPoolStartsFromTheStoredHistoryAndHandsItOnAsEachBucketCompletes() {
    Instant t0 = Instant.parse("2026-12-08T08:02:00Z");
    io.tideflow.store.ManualClock clock = new io.tideflow.store.ManualClock(t0);
    PredictivePolicy predictive =
        new PredictivePolicy(
            PoolAutoscaler.CONCURRENCY, SeasonalNaive.daily(), 4, Duration.ofMinutes(2));
    Autoscaler core =
        new Autoscaler(
            List.of(TargetTrackingPolicy.of(PoolAutoscaler.CONCURRENCY, 4), predictive),
            new PoolLimits(1, 8, Duration.ZERO, Duration.ZERO, 2.0));
    LoadHistory kept = predictive.emptyHistory();
    for (int i = 3; i >= 1; i--) {
      kept = kept.record(t0.minus(Duration.ofMinutes(5L * i)), 7);
    }
    // What a new leader reads back from the store, as the previous one wrote it.
    LoadHistory stored = LoadHistories.decode("k", LoadHistories.encode(kept));
    List<LoadHistory> handedOn = new java.util.concurrent.CopyOnWriteArrayList<>();
    watcher = ClusterWatcher.start(cluster.store, Duration.ofSeconds(5));
    autoscaler =
        new PoolAutoscaler(config(template), core, provider, watcher, clock, leader::fencingToken)
            .restoreLoad(stored)
            .onLoad(handedOn::add);
    assertThat(autoscaler.forecasts()).isTrue();
    provider.launch(template, 1, "seed").join();
    await().atMost(Duration.ofSeconds(10)).until(() -> readyNodes() == 1);

    autoscaler.tick(); // the first step opens the 08:00 bucket: the 07:55 one is complete
    assertThat(handedOn).hasSize(1);
    LoadHistory first = handedOn.getFirst();
    assertThat(first.newestBucket()).isEqualTo(first.bucketOf(t0));
    assertThat(first.mean(first.bucketOf(t0) - 1)).isEqualTo(7);
    assertThat(first.mean(first.bucketOf(t0))).isZero(); // the seed node runs nothing

    clock.advance(Duration.ofSeconds(15));
    autoscaler.tick(); // the same bucket: nothing to hand on
    assertThat(handedOn).hasSize(1);
    clock.advance(Duration.ofMinutes(5));
    autoscaler.tick();
    assertThat(handedOn).hasSize(2);
  }

  private PoolAutoscaler autoscaler() {
    Autoscaler core = shrinkAtOnce();
    watcher = ClusterWatcher.start(cluster.store, Duration.ofSeconds(5));
    PoolConfig config = config(template);
    return new PoolAutoscaler(
        config, core, provider, watcher, InstantSource.system(), leader::fencingToken);
  }

  private int readyNodes() {
    return watcher.view().countByState().get(NodeState.READY);
  }

  @Test
  void growsWithLoadAndShrinksAfterItWithoutFailingARequest() throws Exception {
    autoscaler = autoscaler();
    provider.launch(template, 1, "seed").join();
    TideflowClient client = cluster.client();
    await().until(() -> readyNodes() == 1 && client.view().size() == 1);

    List<CompletableFuture<TaskResult>> held = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      held.add(client.submit(TaskSpec.builder("held").build()));
    }
    await().until(() -> client.stats().inFlight() == 24);
    // 24 tasks on 1 node, target 4 per node: 6 nodes wanted, at most doubling each step.
    for (int expected : new int[] {2, 4}) {
      await().until(() -> watcher.view().node("web-1").load().inFlight() > 0); // report seen
      DecisionRecord up = autoscaler.tick();
      assertThat(up.desired()).isEqualTo(expected);
      await().until(() -> readyNodes() == expected);
    }
    release.countDown();
    for (CompletableFuture<TaskResult> f : held) {
      f.get(20, TimeUnit.SECONDS);
    }
    // Idle now: scale down to the floor, draining while new tasks keep arriving.
    List<CompletableFuture<TaskResult>> during = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              during.add(client.submit(TaskSpec.builder("echo").build()));
              DecisionRecord r = autoscaler.tick();
              return r.desired() == 1
                  && autoscaler.leaving().isEmpty()
                  && provider.nodes().size() == 1;
            });
    for (CompletableFuture<TaskResult> f : during) {
      assertThat(f.get(20, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(client.stats().failed()).isZero();
    assertThat(autoscaler.decisions())
        .extracting(DecisionRecord::policy)
        .contains("target-tracking");
    assertThat(autoscaler.decisions().getFirst().reason()).contains("concurrency");
  }

  @Test
  void aNodeThatDiedIsTerminatedAndReplaced() {
    autoscaler = autoscaler();
    autoscaler.onDecisionLog(log -> DecisionLogs.publish(leader, "web", log));
    provider.launch(template, 2, "seed").join();
    await().until(() -> readyNodes() == 2);
    cluster.crash(provider.worker("web-1"));
    // Gone from the registry once its 2 s lease expires; terminated 4 s (2 TTLs) after that, so
    // the pool stops counting it and sizes itself from the nodes it really has.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              autoscaler.tick();
              return provider.worker("web-1") == null;
            });
    assertThat(provider.nodes()).extracting(n -> n.nodeId()).doesNotContain("web-1");
    assertThat(provider.nodes()).isNotEmpty();
    // The decision log is in the store for `tideflow status` on any machine.
    byte[] stored = cluster.store.get(ClusterKeys.autoscaler("web")).join().orElseThrow().value();
    assertThat(DecisionLogs.decode(stored))
        .isNotEmpty()
        .allMatch(d -> d.pool().equals("web") && !d.reason().isBlank());
  }

  /** A clock the test moves. */
  private static final class ManualClock implements InstantSource {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  @Test
  void aNodeWhoseTerminationFailsIsTerminatedAgainUntilItGoes() throws Exception {
    AtomicInteger failuresLeft = new AtomicInteger(2);
    AtomicInteger terminateCalls = new AtomicInteger();
    NodeProvider flaky =
        new NodeProvider() {
          @Override
          public String name() {
            return "flaky";
          }

          @Override
          public CompletableFuture<LaunchResult> launch(
              NodeTemplate t, int count, String requestId) {
            return provider.launch(t, count, requestId);
          }

          @Override
          public CompletableFuture<Void> terminate(Collection<String> ids, String requestId) {
            terminateCalls.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
              return CompletableFuture.failedFuture(
                  new IllegalStateException("cloud API timed out"));
            }
            return provider.terminate(ids, requestId);
          }

          @Override
          public List<ProvidedNode> nodes() {
            return provider.nodes();
          }

          @Override
          public ProviderHealth health() {
            return provider.health();
          }

          @Override
          public void close() {
            provider.close();
          }
        };
    ManualClock clock = new ManualClock();
    watcher = ClusterWatcher.start(cluster.store, Duration.ofSeconds(5));
    Autoscaler core =
        new Autoscaler(
            List.of(
                new TargetTrackingPolicy(
                    PoolAutoscaler.CONCURRENCY,
                    4,
                    0.1,
                    HpaBehavior.defaults()
                        .withScaleDown(
                            new HpaBehavior.Rules(
                                Duration.ZERO,
                                List.of(
                                    new HpaBehavior.Limit(
                                        HpaBehavior.LimitType.PERCENT,
                                        100,
                                        Duration.ofSeconds(15))),
                                HpaBehavior.Select.MAX)))),
            new PoolLimits(1, 8, Duration.ZERO, Duration.ZERO, 2.0));
    autoscaler =
        new PoolAutoscaler(
            new PoolConfig(
                "web",
                template,
                Duration.ofSeconds(1),
                Duration.ofMinutes(5),
                Duration.ofSeconds(5),
                100),
            core,
            flaky,
            watcher,
            clock,
            leader::fencingToken);
    provider.launch(template, 2, "seed").join();
    await().until(() -> readyNodes() == 2);

    // Idle: one of the two goes. Its drain works, its termination fails.
    DecisionRecord down = autoscaler.tick();
    assertThat(down.desired()).isEqualTo(1);
    await().until(() -> autoscaler.terminationRetries().values().contains(1));
    String victim = autoscaler.terminationRetries().keySet().iterator().next();
    assertThat(autoscaler.leaving()).containsExactly(victim);
    assertThat(provider.nodes()).extracting(n -> n.nodeId()).contains(victim);

    autoscaler.tick(); // not due yet: no new try
    assertThat(terminateCalls.get()).isEqualTo(1);
    clock.advance(PoolAutoscaler.TERMINATION_BACKOFF.initial());
    autoscaler.tick(); // second try, fails again; the back-off doubles
    await().until(() -> autoscaler.terminationRetries().getOrDefault(victim, 0) == 2);
    clock.advance(PoolAutoscaler.TERMINATION_BACKOFF.initial());
    autoscaler.tick();
    assertThat(terminateCalls.get()).isEqualTo(2);
    clock.advance(PoolAutoscaler.TERMINATION_BACKOFF.initial());
    autoscaler.tick(); // third try works
    await().until(() -> autoscaler.leaving().isEmpty());
    assertThat(autoscaler.terminationRetries()).isEmpty();
    assertThat(terminateCalls.get()).isEqualTo(3);
    assertThat(provider.nodes()).extracting(n -> n.nodeId()).doesNotContain(victim).hasSize(1);
  }

  @Test
  void aStandbyDecidesNothing() {
    autoscaler = autoscaler().onlyWhile(() -> false);
    provider.launch(template, 1, "seed").join();
    assertThat(autoscaler.tick()).isNull();
    assertThat(autoscaler.decisions()).isEmpty();
  }

  @Test
  void workThatWaitsForRoomGrowsThePoolByWhatItNeeds() throws Exception {
    watcher = ClusterWatcher.start(cluster.store, Duration.ofSeconds(5));
    try (PendingDemand demand = PendingDemand.follow(cluster.store, Duration.ofSeconds(5))) {
      Autoscaler core =
          new Autoscaler(
              List.of(new PendingDemandPolicy(template.capacity())),
              new PoolLimits(1, 8, Duration.ZERO, Duration.ZERO, 2.0));
      autoscaler =
          new PoolAutoscaler(
                  config(template),
                  core,
                  provider,
                  watcher,
                  InstantSource.system(),
                  leader::fencingToken)
              .pendingDemand(() -> demand.demandFor(template));
      provider.launch(template, 1, "seed").join();
      TideflowClient client =
          cluster.client(ClientConfig.defaults().withDemandReportInterval(Duration.ofMillis(100)));
      await().until(() -> readyNodes() == 1 && client.view().size() == 1);

      // Each task holds a whole node (1000m): one runs, three wait for room.
      List<CompletableFuture<TaskResult>> held = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        held.add(
            client.submit(TaskSpec.builder("held").demand(Resources.of(1000, 1 << 20)).build()));
      }
      await().until(() -> demand.demandFor(template).size() == 3);
      assertThat(demand.reports())
          .singleElement()
          .satisfies(r -> assertThat(r.clientId()).isEqualTo(client.id()));
      // Three more nodes are needed; growth is capped at double per step.
      DecisionRecord first = autoscaler.tick();
      assertThat(first.desired()).isEqualTo(2);
      assertThat(first.reason()).contains("3 task(s) wait: 3 new node(s)");
      await().until(() -> readyNodes() == 2 && demand.demandFor(template).size() == 2);
      DecisionRecord second = autoscaler.tick();
      assertThat(second.desired()).isEqualTo(4);
      await().until(() -> readyNodes() == 4);
      await().until(() -> client.stats().inFlight() == 4 && demand.demandFor(template).isEmpty());
      // Nothing waits: the policy keeps the size.
      assertThat(autoscaler.tick().desired()).isEqualTo(4);
      release.countDown();
      for (CompletableFuture<TaskResult> f : held) {
        assertThat(f.get(20, TimeUnit.SECONDS)).isNotNull();
      }
      assertThat(client.stats().failed()).isZero();
    }
  }

  @Test
  void aNodeTheDemandHasNotSeenYetIsNotAskedForAgain() throws Exception {
    ManualClock clock = new ManualClock();
    watcher = ClusterWatcher.start(cluster.store, Duration.ofSeconds(5));
    try (PendingDemand demand = PendingDemand.follow(cluster.store, Duration.ofSeconds(5), clock)) {
      Autoscaler core =
          new Autoscaler(
              List.of(new PendingDemandPolicy(template.capacity())),
              new PoolLimits(1, 8, Duration.ZERO, Duration.ZERO, 2.0));
      autoscaler =
          new PoolAutoscaler(config(template), core, provider, watcher, clock, leader::fencingToken)
              .pendingDemand(() -> demand.demandFor(template))
              .demandSeenAt(demand::asOf, Duration.ofSeconds(2));
      provider.launch(template, 1, "seed").join();
      await().until(() -> readyNodes() == 1);
      clock.advance(Duration.ofSeconds(3)); // the seed has long been up when demand arrives

      // One client reports one task of a whole node waiting.
      byte[] oneWaits =
          DemandRecords.encode(
              new DemandRecords.Report(
                  "c1",
                  0,
                  List.of(
                      new PendingWork(template.capacity(), LabelSelector.ALL, 1, "no node fits"))));
      String key = ClusterKeys.demand("c1");
      cluster.store.put(key, oneWaits, 0).get();
      await().until(() -> demand.demandFor(template).size() == 1);
      assertThat(autoscaler.tick().desired()).isEqualTo(2);
      await().until(() -> readyNodes() == 2);

      // The new node is READY, but the demand was reported before the client could use it: the
      // node still counts as starting, and nothing more is launched.
      DecisionRecord held = autoscaler.tick();
      assertThat(held.desired()).isEqualTo(2);
      assertThat(held.reason()).contains("1 of them already starting");

      // The client reports again, long enough after the node came up: the task still waits, so
      // it needs a node of its own after all.
      clock.advance(Duration.ofMillis(2_500));
      cluster.store.put(key, oneWaits, 0).get();
      await().until(() -> demand.asOf().equals(clock.instant()));
      assertThat(autoscaler.tick().desired()).isEqualTo(3);
    }
  }
}
