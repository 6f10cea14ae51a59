package io.tideflow.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.autoscale.NodeDrainer;
import io.tideflow.runtime.autoscale.NodeTerminator;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.ListenAddress;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.memory.MemoryClusterStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers and clients of one cluster over mutual TLS, as they run past loopback. */
class MutualTlsClusterTest {
  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final AtomicInteger payloadsSeen = new AtomicInteger();
  private final TaskHandlers handlers =
      TaskHandlers.builtins()
          .with(
              "count",
              payload -> {
                payloadsSeen.incrementAndGet();
                return payload;
              });

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  @Test
  void tasksFlowOverMutualTlsToAWorkerListeningOnEveryInterface() throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    MemoryClusterStore store = keep(new MemoryClusterStore());
    ClusterTls nodeTls = tls(pki, Identity.Role.NODE, "w1");
    SimpleMeterRegistry workerMetrics = new SimpleMeterRegistry();
    WorkerNode worker =
        keep(
            WorkerNode.start(
                WorkerConfig.defaults("w1").withListen(ListenAddress.of("0.0.0.0", "127.0.0.1")),
                store,
                handlers,
                workerMetrics,
                LinkSecurity.mutualTls(nodeTls)));
    ClusterTls clientTls = tls(pki, Identity.Role.CLIENT, "c1");
    TideflowClient client = client(store, clientTls);

    for (int i = 0; i < 100; i++) {
      byte[] out =
          client
              .submit(TaskSpec.builder("count").payload(new byte[] {(byte) i}).build())
              .get(20, TimeUnit.SECONDS)
              .output();
      assertThat(out).containsExactly((byte) i);
    }
    assertThat(payloadsSeen).hasValue(100);
    assertThat(worker.address()).isEqualTo(worker.info().address()).startsWith("127.0.0.1:");
    assertThat(nodeTls.stats().handshakes()).containsEntry("server/X25519MLKEM768", 1L);
    assertThat(clientTls.stats().handshakes()).containsEntry("client/X25519MLKEM768", 1L);
    assertThat(
            workerMetrics
                .get("tideflow.tls.handshakes")
                .tag("side", "server")
                .tag("group", "X25519MLKEM768")
                .functionCounter()
                .count())
        .isEqualTo(1.0);
    assertThat(workerMetrics.get("tideflow.tls.certificate.expiry.seconds").gauge().value())
        .isBetween(3000.0, 3600.0);
  }

  @Test
  void onlyACoordinatorMayDrainOrTerminateANode() throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    WorkerNode worker = loopbackWorker(pki, "w1", metrics);
    LinkSecurity ops = LinkSecurity.mutualTls(tls(pki, Identity.Role.CLIENT, "ops"));
    LinkSecurity otherNode = LinkSecurity.mutualTls(tls(pki, Identity.Role.NODE, "w2"));
    LinkSecurity coordinator = LinkSecurity.mutualTls(tls(pki, Identity.Role.COORDINATOR, "c1"));
    Duration grace = Duration.ofSeconds(1);

    assertThat(status(NodeTerminator.terminate(ops, "w1", worker.address(), 1, grace, "")))
        .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED))
        .satisfies(
            s ->
                assertThat(s.getDescription())
                    .isEqualTo(
                        "spiffe://tideflow/client/ops may not call"
                            + " tideflow.v1.NodeControl/Terminate: only a coordinator may"));
    assertThat(status(NodeDrainer.drain(otherNode, "w1", worker.address(), grace, 1)).getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    // A coordinator gets past the role check to the fencing check: no leader holds token 1.
    assertThat(
            status(NodeTerminator.terminate(coordinator, "w1", worker.address(), 1, grace, ""))
                .getCode())
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(
            metrics.get("tideflow.worker.calls.denied").tag("node", "w1").functionCounter().count())
        .isEqualTo(2.0);
    assertThat(worker.terminated()).isNotDone();
  }

  private static Status status(CompletableFuture<?> call) {
    try {
      call.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return Status.fromThrowable(e.getCause());
    } catch (Exception e) {
      throw new AssertionError("the call did not end: " + e, e);
    }
    throw new AssertionError("the call was let through");
  }

  @Test
  void aProbeSaysWhatEachLinkNegotiatedOrWhyItWasRefused() throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    TestPki foreign = new TestPki(dir.resolve("foreign"), "tideflow");
    WorkerNode worker = loopbackWorker(pki, "w1", new SimpleMeterRegistry());
    LinkSecurity ops = LinkSecurity.mutualTls(tls(pki, Identity.Role.CLIENT, "ops"));
    Duration timeout = Duration.ofSeconds(10);

    assertThat(ops.probe("w1", worker.address(), timeout).get(15, TimeUnit.SECONDS))
        .isEqualTo("mutual TLS 1.3, X25519MLKEM768, spiffe://tideflow/node/w1");
    assertThat(ops.probe("w9", worker.address(), timeout).get(15, TimeUnit.SECONDS))
        .startsWith(
            "refused: the node dialled as w9 (its registry entry) presented the certificate"
                + " of spiffe://tideflow/node/w1");
    // Trusts the node's CA, but holds a certificate of another: the node refuses it.
    TlsFiles stranger = foreign.issue(Identity.Role.CLIENT, "stranger");
    LinkSecurity strangerLinks =
        LinkSecurity.mutualTls(
            keep(
                ClusterTls.load(
                    new TlsFiles(
                        stranger.certificateChain(),
                        stranger.privateKey(),
                        pki.issue(Identity.Role.CLIENT, "unused").trustedCas()),
                    Duration.ofMinutes(1))));
    assertThat(strangerLinks.probe("w1", worker.address(), timeout).get(15, TimeUnit.SECONDS))
        .isEqualTo(
            "the node closed the link after its certificate was accepted (mutual TLS 1.3,"
                + " X25519MLKEM768, spiffe://tideflow/node/w1): it refused this process's"
                + " certificate (spiffe://tideflow/client/stranger) or went away");
  }

  @Test
  void aForgedRegistryEntryReceivesNoPayload() throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    // Somebody with a valid certificate of the cluster (for their own node, "evil") runs a worker
    // and writes a registry entry saying that w1 lives at its address.
    WorkerNode evil =
        keep(
            WorkerNode.start(
                WorkerConfig.defaults("evil"),
                keep(new MemoryClusterStore()),
                handlers,
                new SimpleMeterRegistry(),
                LinkSecurity.mutualTls(tls(pki, Identity.Role.NODE, "evil"))));
    MemoryClusterStore store = keep(new MemoryClusterStore());
    NodeInfo forged =
        new NodeInfo(
            "w1",
            "in-process",
            evil.address(),
            Map.of(),
            Resources.of(8_000, 1L << 30),
            NodeState.READY,
            LoadReport.NONE);
    store.put(ClusterKeys.node("w1"), NodeRecords.encode(forged), 0).get(5, TimeUnit.SECONDS);
    ClusterTls clientTls = tls(pki, Identity.Role.CLIENT, "c1");
    TideflowClient client = client(store, clientTls);

    var task = client.submit(TaskSpec.builder("count").timeout(Duration.ofSeconds(2)).build());

    assertThatThrownBy(() -> task.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    assertThat(payloadsSeen).hasValue(0);
    assertThat(clientTls.stats().refused()).containsKey("client");
    assertThat(clientTls.stats().handshakes()).isEmpty();
  }

  @Test
  void aWorkerRefusesToStartWithAnotherNodesCertificateOrBeyondLoopbackWithout() {
    TestPki pki = new TestPki(dir, "tideflow");
    MemoryClusterStore store = keep(new MemoryClusterStore());
    ClusterTls w2 = tls(pki, Identity.Role.NODE, "w2");
    assertThatThrownBy(
            () ->
                WorkerNode.start(
                    WorkerConfig.defaults("w1"),
                    store,
                    handlers,
                    new SimpleMeterRegistry(),
                    LinkSecurity.mutualTls(w2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("certificate names spiffe://tideflow/node/w2, but its id is w1");
    assertThatThrownBy(
            () ->
                WorkerNode.start(
                    WorkerConfig.defaults("w1").withListen(ListenAddress.of("0.0.0.0", null)),
                    store,
                    handlers,
                    new SimpleMeterRegistry(),
                    LinkSecurity.plaintext()))
        .hasMessageContaining("binding beyond loopback needs mutual TLS")
        .hasMessageContaining("tideflow cert issue --node w1");
  }

  /** A worker on loopback under mutual TLS, registered in a store of its own. */
  private WorkerNode loopbackWorker(TestPki pki, String id, SimpleMeterRegistry metrics) {
    return keep(
        WorkerNode.start(
            WorkerConfig.defaults(id),
            keep(new MemoryClusterStore()),
            handlers,
            metrics,
            LinkSecurity.mutualTls(tls(pki, Identity.Role.NODE, id))));
  }

  private ClusterTls tls(TestPki pki, Identity.Role role, String name) {
    return keep(ClusterTls.load(pki.issue(role, name), Duration.ofMinutes(1)));
  }

  private TideflowClient client(MemoryClusterStore store, ClusterTls tls) {
    return keep(
        TideflowClient.connect(
            store,
            ClientConfig.defaults(),
            new SimpleMeterRegistry(),
            LinkSecurity.mutualTls(tls)));
  }

  private <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }
}
