package io.tideflow.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterTlsTest {
  private static final MethodDescriptor<byte[], byte[]> ECHO =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Echo/Echo")
          .setRequestMarshaller(new Bytes())
          .setResponseMarshaller(new Bytes())
          .build();

  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  @Test
  void nodeLinksAreMutualTls13WithThePostQuantumHybridKeyExchange() throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    ClusterTls node = tls(pki.issue(Identity.Role.NODE, "w1"));
    ClusterTls client = tls(pki.issue(Identity.Role.CLIENT, "c1"));
    int port = serve(node);

    SSLSession session = echo(client, "w1", port);

    assertThat(ClusterTls.implementation()).isEqualTo("BoringSSL");
    assertThat(session.getProtocol()).isEqualTo("TLSv1.3");
    assertThat(Identity.of((X509Certificate) session.getPeerCertificates()[0]))
        .containsExactly(Identity.parse("spiffe://tideflow/node/w1"));
    assertThat(client.stats().handshakes()).containsEntry("client/X25519MLKEM768", 1L);
    assertThat(node.stats().handshakes()).containsEntry("server/X25519MLKEM768", 1L);
    assertThat(node.stats().lastGroup()).isEqualTo("X25519MLKEM768");
  }

  @Test
  void aPeerThatOffersOnlyClassicalGroupsGetsX25519AndUnknownGroupsFailAtLoad() throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    ClusterTls node = tls(pki.issue(Identity.Role.NODE, "w1"));
    ClusterTls classical =
        keep(
            ClusterTls.load(
                pki.issue(Identity.Role.CLIENT, "old"), Duration.ofMinutes(1), List.of("X25519")));
    int port = serve(node);

    echo(classical, "w1", port);

    assertThat(node.stats().handshakes()).containsEntry("server/X25519", 1L);
    assertThatThrownBy(
            () ->
                ClusterTls.load(
                    pki.issue(Identity.Role.CLIENT, "x"),
                    Duration.ofMinutes(1),
                    List.of("no-such")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offering the key-exchange groups [no-such] with BoringSSL");
  }

  @Test
  void aClientSendsNothingToANodeWhoseCertificateIsNotTheNodeTheRegistryNamed() throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    // The registry says w1 lives at this address; the process there holds w2's certificate.
    ClusterTls impostor = tls(pki.issue(Identity.Role.NODE, "w2"));
    ClusterTls client = tls(pki.issue(Identity.Role.CLIENT, "c1"));
    int port = serve(impostor);

    assertThatThrownBy(() -> echo(client, "w1", port))
        .isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(client.stats().refused()).containsEntry("client", 1L);
    assertThat(impostor.stats().handshakes()).isEmpty();
  }

  @Test
  void aPeerWithAForeignCaOrAnExpiredCertificateIsRefused() throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    TestPki other = new TestPki(dir.resolve("other"), "tideflow");
    ClusterTls node = tls(pki.issue(Identity.Role.NODE, "w1"));
    int port = serve(node);

    // It trusts the node's CA, so the node's certificate is accepted; its own is of another CA.
    TlsFiles foreignFiles = other.issue(Identity.Role.CLIENT, "c1");
    ClusterTls foreign =
        tls(
            new TlsFiles(
                foreignFiles.certificateChain(),
                foreignFiles.privateKey(),
                pki.issue(Identity.Role.CLIENT, "unused").trustedCas()));
    assertThatThrownBy(() -> echo(foreign, "w1", port)).isInstanceOf(StatusRuntimeException.class);
    assertThat(foreign.stats().refused()).isEmpty();
    // Loaded while valid, presented after it expired.
    Instant end = Instant.now().plusSeconds(2);
    ClusterTls expired = tls(pki.validUntil(Identity.Role.CLIENT, "c2", end));
    await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(end));
    assertThatThrownBy(() -> echo(expired, "w1", port)).isInstanceOf(StatusRuntimeException.class);

    assertThat(node.stats().refused()).containsEntry("server", 2L);
    assertThat(node.stats().handshakes()).isEmpty();
  }

  @Test
  void materialThatNamesNoIdentityOrIsMissingIsRefusedAtStartNamingTheFile() throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    assertThatThrownBy(
            () -> ClusterTls.load(pki.expired(Identity.Role.NODE, "old"), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(spiffe://tideflow/node/old) is valid only from")
        .hasMessageContaining("peers would refuse it; issue a new one (tideflow cert issue)");
    TlsFiles good = pki.issue(Identity.Role.NODE, "w1");
    TlsFiles missingKey =
        new TlsFiles(good.certificateChain(), dir.resolve("nope.key"), good.trustedCas());
    assertThatThrownBy(() -> ClusterTls.load(missingKey, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope.key");
    // Another node's key beside this certificate (or one file of a rotation not yet replaced).
    TlsFiles other = pki.issue(Identity.Role.NODE, "w2");
    TlsFiles mismatched =
        new TlsFiles(good.certificateChain(), other.privateKey(), good.trustedCas());
    assertThatThrownBy(() -> ClusterTls.load(mismatched, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not the key of the certificate in");
    // The CA certificate names the trust domain, not a holder: it is no node's certificate.
    TlsFiles caAsLeaf = new TlsFiles(good.trustedCas(), good.privateKey(), good.trustedCas());
    assertThatThrownBy(() -> ClusterTls.load(caAsLeaf, Duration.ofSeconds(1)))
        .hasMessageContaining("must name exactly one identity");
  }

  @Test
  void aRotatedCertificateIsPresentedToNewHandshakesWithoutARestart() throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    Path nodeDir = dir.resolve("w1");
    TlsFiles files = pki.issueInto(nodeDir, Identity.Role.NODE, "w1");
    ClusterTls node = tls(files, Duration.ofMillis(50));
    ClusterTls client = tls(pki.issue(Identity.Role.CLIENT, "c1"));
    int port = serve(node);
    BigInteger before = serial(echo(client, "w1", port));

    pki.issueInto(nodeDir, Identity.Role.NODE, "w1");
    await().atMost(Duration.ofSeconds(10)).until(() -> node.stats().reloads() == 1);

    BigInteger after = serial(echo(client, "w1", port));
    assertThat(after).isNotEqualTo(before);
    assertThat(node.stats().reloadFailures()).isZero();
  }

  @Test
  void aKeyThatDoesNotMatchItsCertificateIsCountedOnceAndTheOldMaterialServesOn() throws Exception {
    TestPki pki = new TestPki(dir, "tideflow");
    Path nodeDir = dir.resolve("w1");
    TlsFiles files = pki.issueInto(nodeDir, Identity.Role.NODE, "w1");
    ClusterTls node = tls(files, Duration.ofMillis(50));
    ClusterTls client = tls(pki.issue(Identity.Role.CLIENT, "c1"));
    int port = serve(node);
    BigInteger before = serial(echo(client, "w1", port));
    TlsFiles other = pki.issue(Identity.Role.NODE, "w2");

    // Another certificate's key, and nothing else changes: a bad set, not one half-written.
    java.nio.file.Files.copy(
        other.privateKey(), files.privateKey(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    await().atMost(Duration.ofSeconds(10)).until(() -> node.stats().reloadFailures() == 1);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> node.stats().reloadFailures() == 1 && node.stats().reloads() == 0);
    assertThat(serial(echo(client, "w1", port))).isEqualTo(before);

    pki.issueInto(nodeDir, Identity.Role.NODE, "w1");
    await().atMost(Duration.ofSeconds(10)).until(() -> node.stats().reloads() == 1);
    assertThat(serial(echo(client, "w1", port))).isNotEqualTo(before);
    assertThat(node.stats().reloadFailures()).isEqualTo(1);
  }

  private ClusterTls tls(TlsFiles files) {
    return tls(files, Duration.ofMinutes(1));
  }

  private ClusterTls tls(TlsFiles files, Duration reload) {
    return keep(ClusterTls.load(files, reload));
  }

  private ClusterTls keep(ClusterTls tls) {
    open.add(tls);
    return tls;
  }

  private int serve(ClusterTls tls) throws IOException {
    ServerServiceDefinition echo =
        ServerServiceDefinition.builder("test.Echo")
            .addMethod(
                ECHO,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      response.onNext(request);
                      response.onCompleted();
                    }))
            .build();
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .sslContext(tls.serverContext())
            .addService(echo)
            .build()
            .start();
    open.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return server.getPort();
  }

  /** One echo call on a new channel to {@code nodeId} at {@code port}; the TLS session it used. */
  private SSLSession echo(ClusterTls tls, String nodeId, int port) throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .sslContext(tls.clientContext(nodeId))
            .build();
    try {
      CompletableFuture<SSLSession> session = new CompletableFuture<>();
      ClientCall<byte[], byte[]> call =
          channel.newCall(ECHO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
      byte[] out =
          ClientCalls.blockingUnaryCall(
              channel,
              ECHO,
              CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
              new byte[] {42});
      assertThat(out).containsExactly(42);
      call.start(
          new ClientCall.Listener<>() {
            @Override
            public void onHeaders(Metadata headers) {
              session.complete(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
            }
          },
          new Metadata());
      call.request(1);
      call.sendMessage(new byte[] {1});
      call.halfClose();
      return session.get(10, TimeUnit.SECONDS);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static BigInteger serial(SSLSession session) throws Exception {
    return ((X509Certificate) session.getPeerCertificates()[0]).getSerialNumber();
  }

  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
