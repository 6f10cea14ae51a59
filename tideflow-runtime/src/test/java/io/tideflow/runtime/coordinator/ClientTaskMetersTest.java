package io.tideflow.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClientStatsRecords;
import io.tideflow.runtime.membership.ClientStatsRecords.Held;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.task.TaskHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientTaskMetersTest {
  /** Lets the "hold" tasks end. */
  private final CountDownLatch release = new CountDownLatch(1);

  private final EmbeddedCluster cluster =
      new EmbeddedCluster(
          TaskHandlers.builtins()
              .with(
                  "boom",
                  p -> {
                    throw new IllegalStateException("boom on purpose");
                  })
              .with(
                  "hold",
                  p -> {
                    release.await(20, TimeUnit.SECONDS);
                    return p;
                  }));

  /** The leader's own registry, apart from the one the client and worker count in. */
  private final SimpleMeterRegistry leaderMetrics = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    cluster.close();
  }

  private double counter(String name, String client) {
    FunctionCounter c =
        leaderMetrics
            .find("tideflow.cluster.tasks." + name)
            .tag("client", client)
            .functionCounter();
    return c == null ? -1 : c.count();
  }

  private double heldOnW1(String what) {
    Gauge g = leaderMetrics.find("tideflow.node.tasks.allocated." + what).tag("node", "w1").gauge();
    return g == null ? -1 : g.value();
  }

  @Test
  void theLeaderExportsTheTaskCountsOfAClientInAnotherRegistryAndDropsThemWhenItCloses()
      throws Exception {
    cluster.startWorker("w1");
    try (Coordinator leader =
        Coordinator.start(
            "c", cluster.store, Duration.ofSeconds(1), Duration.ofSeconds(5), leaderMetrics)) {
      await().until(leader::isLeader);
      TideflowClient client = cluster.client();
      String id = client.id();
      client.submit(TaskSpec.builder("echo").build()).get(10, TimeUnit.SECONDS);
      CompletableFuture<?> failed = client.submit(TaskSpec.builder("boom").build());
      failed.handle((r, e) -> null).get(10, TimeUnit.SECONDS);
      assertThat(failed).isCompletedExceptionally();

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(counter("submitted", id)).isEqualTo(2);
                assertThat(counter("completed", id)).isEqualTo(1);
                assertThat(counter("failed", id)).isEqualTo(1);
              });
      Gauge waiting =
          leaderMetrics.find("tideflow.cluster.tasks.waiting").tag("client", id).gauge();
      assertThat(waiting).isNotNull();
      assertThat(waiting.value()).isZero();

      // Two tasks holding 250m and 64 MiB each on w1, while they run.
      List<CompletableFuture<?>> held = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        held.add(
            client.submit(TaskSpec.builder("hold").demand(Resources.of(250, 64L << 20)).build()));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(heldOnW1("cpu")).isEqualTo(500);
                assertThat(heldOnW1("memory")).isEqualTo(128L << 20);
                assertThat(
                        leaderMetrics
                            .find("tideflow.cluster.tasks.in_flight")
                            .tag("client", id)
                            .gauge()
                            .value())
                    .isEqualTo(2);
              });
      release.countDown();
      for (CompletableFuture<?> f : held) {
        f.get(10, TimeUnit.SECONDS);
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> leaderMetrics.find("tideflow.node.tasks.allocated.cpu").meters().isEmpty());

      client.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> leaderMetrics.find("tideflow.cluster.tasks.failed").meters().isEmpty());
      assertThat(cluster.store.get(ClusterKeys.client(id)).get(5, TimeUnit.SECONDS)).isEmpty();
    }
  }

  @Test
  void aStandbyShowsNoClientsAndAnUnreadableRecordIsLeftOut() throws Exception {
    try (ClientTaskMeters meters =
        ClientTaskMeters.follow(cluster.store, Duration.ofSeconds(5), leaderMetrics)) {
      cluster
          .store
          .put(ClusterKeys.client("bad"), new byte[] {(byte) 0xff, 0x01}, 0)
          .get(5, TimeUnit.SECONDS);
      cluster
          .store
          .put(
              ClusterKeys.client("good"),
              ClientStatsRecords.encode(
                  new ClientStatsRecords.Counts(
                      "good", 1, 7, 5, 2, 1, 0, 0, Map.of("w9", new Held(100, 1024, 1)))),
              0)
          .get(5, TimeUnit.SECONDS);
      await().until(() -> meters.clients().contains("good"));
      assertThat(meters.clients()).doesNotContain("bad");
      assertThat(counter("failed", "good")).isEqualTo(2);
      assertThat(
              leaderMetrics
                  .find("tideflow.node.tasks.allocated.cpu")
                  .tag("node", "w9")
                  .gauge()
                  .value())
          .isEqualTo(100);
      // An update of the one client holding w9 changes the value on the same gauge.
      Gauge w9 = leaderMetrics.find("tideflow.node.tasks.allocated.cpu").tag("node", "w9").gauge();
      cluster
          .store
          .put(
              ClusterKeys.client("good"),
              ClientStatsRecords.encode(
                  new ClientStatsRecords.Counts(
                      "good", 2, 8, 5, 2, 1, 0, 0, Map.of("w9", new Held(300, 1024, 3)))),
              0)
          .get(5, TimeUnit.SECONDS);
      await().until(() -> w9.value() == 300);
      assertThat(leaderMetrics.find("tideflow.node.tasks.allocated.cpu").tag("node", "w9").gauge())
          .isSameAs(w9);
    }
    assertThat(leaderMetrics.find("tideflow.cluster.tasks.failed").meters()).isEmpty();
    assertThat(leaderMetrics.find("tideflow.node.tasks.allocated.cpu").meters()).isEmpty();

    var other = cluster.lead();
    try (Coordinator standby =
        Coordinator.start(
            "s", cluster.store, Duration.ofSeconds(1), Duration.ofSeconds(5), leaderMetrics)) {
      // Another leads: the standby must not show the clients too, or a sum would count twice.
      assertThat(standby.isLeader()).isFalse();
      assertThat(leaderMetrics.find("tideflow.cluster.tasks.failed").meters()).isEmpty();
      other.resign().get(5, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(standby::isLeader);
      await().until(() -> counter("failed", "good") == 2);
    }
    assertThat(leaderMetrics.find("tideflow.cluster.tasks.failed").meters()).isEmpty();
  }
}
