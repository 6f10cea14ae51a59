package io.tideflow.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdCredentials;
import io.tideflow.store.etcd.EtcdProcess;
import io.tideflow.store.etcd.EtcdTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd over TLS with client certificates from the cluster CA, as {@code etcds://} dials it. */
class EtcdOverTlsTest {
  @TempDir Path dir;

  @Test
  void onlyAProcessWithACertificateOfTheClusterCaReachesEtcdOverTls() throws Exception {
    ClusterCa ca = etcdAndW1();
    Path caOnly = Files.createDirectories(dir.resolve("ca-only"));
    Files.copy(dir.resolve("w1").resolve("ca.crt"), caOnly.resolve("ca.crt"));

    try (EtcdProcess etcd =
        EtcdProcess.start(
            List.of(), "127.0.0.1", 0, new EtcdTls(dir.resolve("etcd"), dir.resolve("w1")))) {
      assertThat(etcd.uri()).startsWith("etcds://127.0.0.1:");
      try (ClusterStore store =
          ClusterStores.open(etcd.uri(), new EtcdCredentials(dir.resolve("w1"), null, null))) {
        store
            .put("/check", "over tls".getBytes(StandardCharsets.UTF_8), 0)
            .get(10, TimeUnit.SECONDS);
        assertThat(store.get("/check").get(10, TimeUnit.SECONDS).orElseThrow().value())
            .asString(StandardCharsets.UTF_8)
            .isEqualTo("over tls");
        // A worker registers and keeps its lease over it like over plaintext.
        try (WorkerNode worker =
            WorkerNode.start(
                WorkerConfig.defaults("w1"),
                store,
                TaskHandlers.builtins(),
                new SimpleMeterRegistry())) {
          assertThat(store.get(ClusterKeys.node("w1")).get(10, TimeUnit.SECONDS)).isPresent();
          assertThat(worker.registration().lease().id()).isNotZero();
        }
      }
      // It checks etcd's certificate but has none of its own: etcd refuses it.
      try (ClusterStore anonymous =
          ClusterStores.open(etcd.uri(), new EtcdCredentials(caOnly, null, null))) {
        assertThatThrownBy(() -> anonymous.get("/check").get(20, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class);
      }
      assertThatThrownBy(() -> ClusterStores.open(etcd.uri()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is etcd over TLS: give the directory with its ca.crt");
    }
  }

  @Test
  void aStoreTakesACertificateWrittenInPlaceOnItsNextConnection() throws Exception {
    ClusterCa ca = etcdAndW1();
    // w2 starts with etcd's CA alone, so etcd refuses it, then gets its certificate in place.
    Path w2 = Files.createDirectories(dir.resolve("w2"));
    Files.copy(dir.resolve("w1").resolve("ca.crt"), w2.resolve("ca.crt"));

    try (EtcdProcess etcd =
            EtcdProcess.start(
                List.of(), "127.0.0.1", 0, new EtcdTls(dir.resolve("etcd"), dir.resolve("w1")));
        ClusterStore store = ClusterStores.open(etcd.uri(), new EtcdCredentials(w2, null, null))) {
      assertThatThrownBy(() -> store.get("/check").get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);

      ca.issue(Identity.Role.NODE, "w2", List.of(), Instant.now(), Duration.ofHours(1)).save(w2);
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(
              () -> {
                store
                    .put("/check", "renewed".getBytes(StandardCharsets.UTF_8), 0)
                    .get(5, TimeUnit.SECONDS);
                return true;
              });
      assertThat(store.get("/check").get(10, TimeUnit.SECONDS).orElseThrow().value())
          .asString(StandardCharsets.UTF_8)
          .isEqualTo("renewed");
    }
  }

  /** A CA, etcd's certificate and w1's from it, in {@code etcd/} and {@code w1/}. */
  private ClusterCa etcdAndW1() throws Exception {
    ClusterCa ca = ClusterCa.create("tideflow", Instant.now(), Duration.ofDays(1));
    Instant now = Instant.now();
    ca.issue(Identity.Role.SERVICE, "etcd", List.of("127.0.0.1"), now, Duration.ofHours(1))
        .save(dir.resolve("etcd"));
    ca.issue(Identity.Role.NODE, "w1", List.of(), now, Duration.ofHours(1)).save(dir.resolve("w1"));
    return ca;
  }
}
