package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.provider.NodeLinks;
import io.tideflow.runtime.security.ClusterCa;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdAccess;
import io.tideflow.store.etcd.EtcdClusterStore;
import io.tideflow.store.etcd.EtcdCredentials;
import io.tideflow.store.etcd.EtcdProcess;
import io.tideflow.store.etcd.EtcdTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's auth on, each process its certificate's common name as the user, each with the least
 * {@link StoreRoles} gives it: a worker may write its own entry only, a pool's nodes their pool's
 * entries only, a client its demand only.
 */
class StoreLeastPrivilegeTest {
  @TempDir Path dir;

  @Test
  void eachProcessMayWriteOnlyWhatItsRoleGrants() throws Exception {
    ClusterCa ca = ClusterCa.create("tideflow", Instant.now(), Duration.ofDays(1));
    Instant now = Instant.now();
    ca.issue(Identity.Role.SERVICE, "etcd", List.of("127.0.0.1"), now, Duration.ofHours(1))
        .save(dir.resolve("etcd"));
    ca.issue(Identity.Role.COORDINATOR, "c1", List.of(), now, Duration.ofHours(1))
        .save(dir.resolve("c1"));
    for (String client : List.of("root", "ops")) {
      ca.issue(Identity.Role.CLIENT, client, List.of(), now, Duration.ofHours(1))
          .save(dir.resolve(client));
    }
    for (String node : List.of("w1", "w2")) {
      ca.issue(Identity.Role.NODE, node, List.of(), now, Duration.ofHours(1))
          .save(dir.resolve(node));
    }

    // A node of pool web: an identity of its own, its pool's user as the common name.
    ca.issue(
            Identity.Role.NODE,
            "web-1",
            NodeLinks.storeUser("web"),
            List.of(),
            now.minus(Duration.ofMinutes(5)),
            now.plus(Duration.ofHours(1)))
        .save(dir.resolve("web-1"));

    try (EtcdProcess etcd =
        EtcdProcess.start(
            List.of(), "127.0.0.1", 0, new EtcdTls(dir.resolve("etcd"), dir.resolve("root")))) {
      try (ClusterStore root = open(etcd, "root")) {
        EtcdAccess access = ((EtcdClusterStore) root).access();
        access.ensureRoot();
        StoreRoles.Role w1 = StoreRoles.node("w1");
        access.grant("w1", w1.name(), w1.permissions());
        access.grant("ops", StoreRoles.client().name(), StoreRoles.client().permissions());
        access.grant("c1", StoreRoles.coordinator().name(), StoreRoles.coordinator().permissions());
        access.grant(
            NodeLinks.storeUser("web"),
            StoreRoles.pool("web").name(),
            StoreRoles.pool("web").permissions());
        access.enable();
        // Idempotent: a second run over the same etcd changes nothing and fails on nothing.
        access.grant("w1", w1.name(), w1.permissions());
      }

      try (ClusterStore w1 = open(etcd, "w1");
          ClusterStore ops = open(etcd, "ops");
          ClusterStore c1 = open(etcd, "c1");
          ClusterStore w2 = open(etcd, "w2");
          Coordinator coordinator =
              Coordinator.start(
                  "c1",
                  c1,
                  Duration.ofSeconds(3),
                  Duration.ofSeconds(5),
                  new SimpleMeterRegistry())) {
        // The coordinator campaigns and writes its fenced records under its role.
        await().atMost(Duration.ofSeconds(20)).until(coordinator::isLeader);
        try (WorkerNode worker =
                WorkerNode.start(
                    WorkerConfig.defaults("w1"),
                    w1,
                    TaskHandlers.builtins(),
                    new SimpleMeterRegistry());
            TideflowClient client =
                TideflowClient.connect(ops, ClientConfig.defaults(), new SimpleMeterRegistry())) {
          assertThat(worker.info().id()).isEqualTo("w1");
          await().atMost(Duration.ofSeconds(20)).until(() -> client.view().node("w1") != null);

          assertThatThrownBy(() -> put(w1, ClusterKeys.node("w2")))
              .as("a worker writing another's entry")
              .isInstanceOf(ExecutionException.class)
              .hasMessageContaining("permission denied");
          assertThatThrownBy(() -> put(ops, ClusterKeys.node("fake")))
              .as("a client writing a registry entry")
              .hasMessageContaining("permission denied");
          put(ops, ClusterKeys.demand("ops-1"));
          // The client's own task counts reach the store under its role.
          await()
              .atMost(Duration.ofSeconds(20))
              .until(() -> c1.get(ClusterKeys.client(client.id())).get().isPresent());
          try (ClusterStore web1 = open(etcd, "web-1")) {
            put(web1, ClusterKeys.node("web-7"));
            assertThatThrownBy(() -> put(web1, ClusterKeys.node("w1")))
                .as("a pool's node writing an entry outside its pool")
                .hasMessageContaining("permission denied");
          }
        }
        // w2 has a certificate of the cluster but no user in etcd: it is served nothing.
        assertThatThrownBy(() -> w2.get(ClusterKeys.node("w1")).get(20, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class);
      }
    }
  }

  private ClusterStore open(EtcdProcess etcd, String who) {
    return ClusterStores.open(etcd.uri(), new EtcdCredentials(dir.resolve(who), null, null));
  }

  private static void put(ClusterStore store, String key) throws Exception {
    store.put(key, "x".getBytes(StandardCharsets.UTF_8), 0).get(20, TimeUnit.SECONDS);
  }
}
