package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.store.memory.MemoryClusterStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerSafetyTest {

  @Test
  void aWorkerRefusesToListenBeyondLoopback() {
    try (MemoryClusterStore store = new MemoryClusterStore()) {
      assertThatThrownBy(
              () -> WorkerNode.start(WorkerConfig.defaults("w").withBindHost("0.0.0.0"), store,
                  TaskHandlers.builtins(), new SimpleMeterRegistry()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bindHost 0.0.0.0 is not a loopback address");
    }
  }

  @Test
  void clientAndWorkerPublishTheMetricsTheirDashboardsNeed() throws Exception {
    try (EmbeddedCluster cluster = new EmbeddedCluster(TaskHandlers.builtins())) {
      cluster.startWorker("w1");
      TideflowClient client = cluster.client();
      client.submit(TaskSpec.builder("noop").build()).get(20, TimeUnit.SECONDS);
      SimpleMeterRegistry m = cluster.metrics;
      org.awaitility.Awaitility.await()
          .until(() -> m.get("tideflow.tasks.completed").counter().count() == 1.0);
      assertThat(m.get("tideflow.tasks.submitted").counter().count()).isEqualTo(1.0);
      assertThat(m.get("tideflow.tasks.failed").counter().count()).isZero();
      assertThat(m.get("tideflow.tasks.retried").counter().count()).isZero();
      assertThat(m.get("tideflow.tasks.latency").timer().count()).isEqualTo(1);
      assertThat(m.get("tideflow.tasks.in_flight").gauge().value()).isZero();
      assertThat(m.get("tideflow.nodes").tag("state", "READY").gauge().value()).isEqualTo(1.0);
      assertThat(m.get("tideflow.worker.tasks.completed").tag("node", "w1").functionCounter().count())
          .isEqualTo(1.0);
    }
  }
}
