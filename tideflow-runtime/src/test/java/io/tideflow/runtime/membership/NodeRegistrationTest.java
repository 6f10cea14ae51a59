package io.tideflow.runtime.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class NodeRegistrationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aLoadReportUnderWayWhenTheNodeStartsDrainingDoesNotWriteItsOldStateBack() throws Exception {
    CountDownLatch inReport = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean hold = new AtomicBoolean();
    AtomicInteger reports = new AtomicInteger();
    Supplier<LoadReport> load =
        () -> {
          if (hold.compareAndSet(true, false)) {
            inReport.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("interrupted in a load report", e);
            }
          }
          reports.incrementAndGet();
          return LoadReport.NONE;
        };
    NodeInfo ready =
        new NodeInfo(
            "n1",
            "test",
            "127.0.0.1:1",
            Map.of(),
            Resources.of(1000, 1 << 30),
            NodeState.READY,
            LoadReport.NONE);
    try (MemoryClusterStore store = new MemoryClusterStore();
        NodeRegistration reg =
            NodeRegistration.register(
                store, ready, Duration.ofSeconds(30), Duration.ofMillis(5), load, WAIT)) {
      hold.set(true);
      assertThat(inReport.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

      reg.moveTo(NodeState.DRAINING);
      release.countDown();
      int after = reports.get();
      await().atMost(WAIT).until(() -> reports.get() >= after + 3);

      assertThat(reg.node().state()).isEqualTo(NodeState.DRAINING);
      NodeInfo stored =
          NodeRecords.decode(
              ClusterKeys.node("n1"),
              store.get(ClusterKeys.node("n1")).get(10, TimeUnit.SECONDS).orElseThrow().value());
      assertThat(stored.state()).isEqualTo(NodeState.DRAINING);
    }
  }
}
