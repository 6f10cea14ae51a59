package io.tideflow.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.balance.OutlierEjection;
import io.tideflow.core.balance.PeakEwmaBalancer;
import io.tideflow.core.balance.RoundRobinBalancer;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.task.TaskHandler;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's balancer: picks among ready workers and learns from their latency. */
class BalancedSubmissionTest {

  /** Runs {@code n} tasks 16 at a time on 3 workers, one of them 10x slower; counts per node. */
  private static Map<String, Integer> run(ClientConfig config, int n) throws Exception {
    TaskHandlers fast = TaskHandlers.builtins().with("work", sleeping(1));
    TaskHandlers slow = TaskHandlers.builtins().with("work", sleeping(10));
    Map<String, Integer> byNode = new TreeMap<>();
    try (EmbeddedCluster cluster = new EmbeddedCluster(fast)) {
      cluster.startWorker("fast-1");
      cluster.startWorker("fast-2");
      cluster.workers.add(
          WorkerNode.start(
              WorkerConfig.defaults("slow").withLeaseTtl(Duration.ofSeconds(2)),
              cluster.store,
              slow,
              cluster.metrics));
      TideflowClient client = cluster.client(config);
      await().until(() -> client.view().countByState().get(NodeState.READY) == 3);
      Semaphore window = new Semaphore(16);
      CompletableFuture<?>[] all = new CompletableFuture<?>[n];
      for (int i = 0; i < n; i++) {
        window.acquire();
        CompletableFuture<TaskResult> f = client.submit(TaskSpec.builder("work").build());
        f.whenComplete((r, e) -> window.release());
        all[i] = f;
      }
      for (CompletableFuture<?> f : all) {
        TaskResult r = (TaskResult) f.get(30, TimeUnit.SECONDS);
        byNode.merge(r.nodeId(), 1, Integer::sum);
      }
      assertThat(client.stats().failed()).isZero();
    }
    return byNode;
  }

  @Test
  void roundRobinSpreadsEvenlyWhateverTheLatency() throws Exception {
    Map<String, Integer> byNode =
        run(
            ClientConfig.defaults()
                .withBalancer(() -> new RoundRobinBalancer(OutlierEjection.DEFAULT)),
            900);
    assertThat(byNode.get("slow")).isBetween(250, 350);
  }

  @Test
  void peakEwmaSendsLittleToTheSlowWorker() throws Exception {
    Map<String, Integer> byNode =
        run(
            ClientConfig.defaults()
                .withBalancer(
                    () ->
                        new PeakEwmaBalancer(OutlierEjection.DEFAULT, 1_000_000_000L, 1_000_000L)),
            900);
    assertThat(byNode.get("slow")).as(byNode.toString()).isLessThan(150);
    assertThat(byNode.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(900);
  }

  /** A handler that takes {@code millis} per task: the built-in sleep with a fixed duration. */
  private static TaskHandler sleeping(int millis) {
    TaskHandler sleep = TaskHandlers.builtins().get("sleep");
    byte[] duration = Integer.toString(millis).getBytes(StandardCharsets.US_ASCII);
    return payload -> sleep.run(duration);
  }
}
