package io.tideflow.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.membership.TestLeader;
import io.tideflow.runtime.pool.PoolLinks;
import io.tideflow.runtime.provider.InProcessNodeProvider;
import io.tideflow.runtime.provider.NodeLinks;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.runtime.provider.ProvidedNode;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.security.NodeCertificates;
import io.tideflow.runtime.security.TestPki;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.store.Leadership;
import io.tideflow.store.memory.MemoryClusterStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool whose nodes are issued certificates as they start, and whose coordinator drains and stops
 * them over mutual TLS under its own certificate.
 */
class PoolOverMutualTlsTest {
  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final NodeTemplate template =
      new NodeTemplate(
          "web",
          Resources.of(1000, 1 << 30),
          Map.of(PoolConfig.POOL_LABEL, "web"),
          Duration.ofSeconds(2));

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  @Test
  void poolNodesServeOverMutualTlsAndTheCoordinatorDrainsThemUnderItsCertificate()
      throws Exception {
    TestPki pki = new TestPki(dir.resolve("pki"), "tideflow");
    pki.ca.save(dir.resolve("ca"));
    NodeCertificates certificates =
        keep(NodeCertificates.load(dir.resolve("ca"), Duration.ofHours(1)));
    MemoryClusterStore store = keep(new MemoryClusterStore());
    SimpleMeterRegistry nodeMetrics = new SimpleMeterRegistry();
    InProcessNodeProvider provider =
        keep(
            new InProcessNodeProvider(
                store,
                TaskHandlers.builtins(),
                nodeMetrics,
                InstantSource.system(),
                new NodeLinks("127.0.0.1", null, certificates)));
    ClusterTls coordinatorTls = tls(pki, Identity.Role.COORDINATOR, "c1");
    ClusterTls clientTls = tls(pki, Identity.Role.CLIENT, "ops");
    TideflowClient client =
        keep(
            TideflowClient.connect(
                store,
                ClientConfig.defaults(),
                new SimpleMeterRegistry(),
                LinkSecurity.mutualTls(clientTls)));
    ClusterWatcher watcher = keep(ClusterWatcher.start(store, Duration.ofSeconds(5)));
    Leadership leader = TestLeader.lead(store, "c1");
    PoolAutoscaler autoscaler =
        keep(
            new PoolAutoscaler(
                    PoolAutoscalerTest.config(template),
                    PoolAutoscalerTest.shrinkAtOnce(),
                    provider,
                    watcher,
                    InstantSource.system(),
                    leader::fencingToken)
                .linkSecurity(
                    new PoolLinks(
                            LinkSecurity.mutualTls(coordinatorTls),
                            new NodeLinks("127.0.0.1", null, certificates))
                        .control()));

    provider.launch(template, 2, "seed").get(30, TimeUnit.SECONDS);
    await().until(() -> client.view().size() == 2);
    assertThat(certificates.nodes()).containsExactlyInAnyOrder("web-1", "web-2");
    for (int i = 0; i < 20; i++) {
      assertThat(
              client
                  .submit(TaskSpec.builder("echo").payload(new byte[] {(byte) i}).build())
                  .get(20, TimeUnit.SECONDS)
                  .output())
          .containsExactly((byte) i);
    }
    assertThat(clientTls.stats().handshakes()).containsEntry("client/X25519MLKEM768", 2L);

    // Idle: one node goes, drained over mutual TLS under the coordinator's certificate.
    DecisionRecord down = autoscaler.tick();
    assertThat(down.desired()).isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> autoscaler.leaving().isEmpty() && provider.nodes().size() == 1);
    String kept = provider.nodes().getFirst().nodeId();
    assertThat(provider.nodes()).extracting(ProvidedNode::nodeId).containsExactly(kept);
    assertThat(coordinatorTls.stats().handshakes()).containsEntry("client/X25519MLKEM768", 1L);
    assertThat(coordinatorTls.stats().refused()).isEmpty();
    assertThat(nodeMetrics.get("tideflow.worker.calls.denied").functionCounters())
        .hasSize(2)
        .allMatch(c -> c.count() == 0);
    await().until(() -> watcher.view().countByState().get(NodeState.READY) == 1);
    // The node that went took its certificate and key with it.
    assertThat(certificates.nodes()).containsExactly(kept);
  }

  @Test
  void aPoolRefusesLinksWhereOnlyOneSideIsSecuredOrTheCoordinatorIsNotOne() {
    TestPki pki = new TestPki(dir.resolve("pki"), "tideflow");
    try {
      pki.ca.save(dir.resolve("ca"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    NodeCertificates certificates =
        keep(NodeCertificates.load(dir.resolve("ca"), Duration.ofHours(1)));
    NodeLinks secured = new NodeLinks("127.0.0.1", null, certificates);
    assertThatThrownBy(() -> new PoolLinks(LinkSecurity.plaintext(), secured))
        .hasMessageContaining("give it --tls-dir");
    LinkSecurity coordinator = LinkSecurity.mutualTls(tls(pki, Identity.Role.COORDINATOR, "c1"));
    assertThatThrownBy(() -> new PoolLinks(coordinator, NodeLinks.LOOPBACK))
        .hasMessageContaining("--pool-ca");
    LinkSecurity client = LinkSecurity.mutualTls(tls(pki, Identity.Role.CLIENT, "ops"));
    assertThatThrownBy(() -> new PoolLinks(client, secured))
        .hasMessageContaining("spiffe://tideflow/client/ops")
        .hasMessageContaining("cert issue --coordinator");
    assertThatThrownBy(() -> new NodeLinks("0.0.0.0", null, null))
        .hasMessageContaining("beyond loopback");
    assertThat(new PoolLinks(coordinator, secured).nodes().secured()).isTrue();
  }

  private ClusterTls tls(TestPki pki, Identity.Role role, String name) {
    return keep(ClusterTls.load(pki.issue(role, name), Duration.ofMinutes(1)));
  }

  private <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }
}
