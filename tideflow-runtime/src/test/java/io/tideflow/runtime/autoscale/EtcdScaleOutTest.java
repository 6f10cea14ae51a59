package io.tideflow.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.autoscale.Autoscaler;
import io.tideflow.core.autoscale.HpaBehavior;
import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.autoscale.TargetTrackingPolicy;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.membership.TestLeader;
import io.tideflow.runtime.provider.InProcessNodeProvider;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.Leadership;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The autoscaler grows a pool of in-process nodes registered in a real etcd to 128 READY nodes,
 * then shrinks it to its floor of 2, draining each node before terminating it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EtcdScaleOutTest {

  @Test
  void growsTo128ReadyNodesInEtcdAndBackDownTo2() throws Exception {
    AtomicReference<Double> load = new AtomicReference<>(0.0);
    NodeTemplate template =
        new NodeTemplate(
            "big",
            Resources.of(1000, 1L << 30),
            Map.of(PoolConfig.POOL_LABEL, "big"),
            Duration.ofSeconds(5));
    try (EtcdProcess etcd = EtcdProcess.start();
        ClusterStore store = ClusterStores.open(etcd.uri());
        InProcessNodeProvider provider =
            new InProcessNodeProvider(store, TaskHandlers.builtins(), new SimpleMeterRegistry());
        ClusterWatcher watcher = ClusterWatcher.start(store, Duration.ofSeconds(10))) {
      // The test leads: workers carry out drains only with the current coordinator's token.
      Leadership leader = TestLeader.lead(store, "test");
      HpaBehavior fast =
          new HpaBehavior(
              new HpaBehavior.Rules(
                  Duration.ZERO,
                  List.of(
                      new HpaBehavior.Limit(
                          HpaBehavior.LimitType.PERCENT, 100, Duration.ofSeconds(1))),
                  HpaBehavior.Select.MAX),
              new HpaBehavior.Rules(
                  Duration.ZERO,
                  List.of(
                      new HpaBehavior.Limit(
                          HpaBehavior.LimitType.PERCENT, 100, Duration.ofSeconds(1))),
                  HpaBehavior.Select.MAX));
      // A metric the test sets: "demand" in node-units, target 1 per node.
      Autoscaler core =
          new Autoscaler(
              List.of(new TargetTrackingPolicy("demand", 1.0, 0.0, fast)),
              new PoolLimits(2, 128, Duration.ZERO, Duration.ZERO, 2.0));
      PoolConfig config =
          new PoolConfig(
              "big",
              template,
              Duration.ofSeconds(1),
              Duration.ofMinutes(1),
              Duration.ofSeconds(5),
              100);
      try (PoolAutoscaler autoscaler =
          new PoolAutoscaler(
              config,
              core,
              provider,
              watcher,
              InstantSource.system(),
              leader::fencingToken,
              pool -> Map.of("demand", load.get()))) {
        provider.launch(template, 2, "seed").join();
        await().atMost(Duration.ofSeconds(60)).until(() -> ready(watcher) == 2);

        load.set(128.0 / 2); // per node: the pool should be 128
        await()
            .atMost(Duration.ofSeconds(150))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  autoscaler.tick();
                  load.set(128.0 / Math.max(1, ready(watcher)));
                  return ready(watcher) == 128;
                });
        assertThat(watcher.view().nodes())
            .filteredOn(n -> n.state() == NodeState.READY)
            .hasSize(128);

        load.set(0.0);
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  autoscaler.tick();
                  return ready(watcher) == 2 && provider.nodes().size() == 2;
                });
        assertThat(autoscaler.decisions()).anyMatch(d -> d.desired() == 128);
      }
    }
  }

  private static int ready(ClusterWatcher watcher) {
    return watcher.view().countByState().get(NodeState.READY);
  }
}
