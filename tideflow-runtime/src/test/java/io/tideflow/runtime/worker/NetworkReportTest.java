package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskHandlers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A worker's load report says how many task bytes it moved per second since the last one. */
class NetworkReportTest {
  @Test
  void aWorkerReportsTheTaskBytesItMovesPerSecond() throws Exception {
    try (EmbeddedCluster cluster = new EmbeddedCluster(TaskHandlers.builtins())) {
      cluster.startWorker("w1");
      TideflowClient client = cluster.client();
      TaskSpec echo = TaskSpec.builder("echo").payload(new byte[16 * 1024]).build();
      AtomicBoolean running = new AtomicBoolean(true);
      Thread load =
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (running.get()) {
                      try {
                        client.submit(echo).get(10, TimeUnit.SECONDS);
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                    }
                  });
      try {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  NodeInfo w1 = client.view().node("w1");
                  return w1 != null && w1.load().networkBytesPerSec() > 32 * 1024;
                });
      } finally {
        running.set(false);
        load.join(10_000);
      }
      assertThat(load.isAlive()).isFalse();
    }
  }
}
