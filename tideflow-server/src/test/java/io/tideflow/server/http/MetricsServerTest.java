package io.tideflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.runtime.security.ClusterCa;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.JdkTls;
import io.tideflow.runtime.security.Pem;
import io.tideflow.runtime.security.TlsFiles;
import io.tideflow.runtime.transport.ListenAddress;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsServerTest {
  @TempDir Path dir;

  @Test
  void servesThePrometheusTextFormatOnLoopback() throws Exception {
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    Counter.builder("tideflow.tasks.submitted").register(registry).increment(3);
    try (MetricsServer server = MetricsServer.start(registry, 0)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(server.url())).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(r.body()).contains("tideflow_tasks_submitted_total 3.0");

      HttpResponse<String> post =
          http.send(
              HttpRequest.newBuilder(URI.create(server.url()))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }

  @Test
  void servesExtraTextRoutes() throws Exception {
    try (MetricsServer server =
        MetricsServer.start(MetricsServer.newRegistry(), 0)
            .route("/autoscaler", () -> "pool web: 1 -> 2\n")) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port() + "/autoscaler"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("pool web: 1 -> 2\n");
    }
  }

  @Test
  void beyondLoopbackMetricsAreServedOnlyOverHttpsToRequestsWithTheToken() throws Exception {
    ClusterCa ca = ClusterCa.create("tideflow", Instant.now(), Duration.ofDays(1));
    ca.issue(Identity.Role.NODE, "w1", List.of("127.0.0.1"), Instant.now(), Duration.ofHours(1))
        .save(dir.resolve("w1"));
    Path token = Files.writeString(dir.resolve("token"), "0123456789abcdef-token\n");
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    Counter.builder("tideflow.tasks.submitted").register(registry).increment(2);

    assertThatThrownBy(
            () -> MetricsServer.start(registry, ListenAddress.of("0.0.0.0", "127.0.0.1"), 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metrics on 0.0.0.0 would be readable beyond loopback");
    assertThatThrownBy(
            () ->
                HttpAccess.of(
                    JdkTls.server(TlsFiles.in(dir.resolve("w1"))),
                    Files.writeString(dir.resolve("short"), "short")))
        .hasMessageContaining("must be at least 16 characters, was 5");

    HttpAccess access = HttpAccess.of(JdkTls.server(TlsFiles.in(dir.resolve("w1"))), token);
    try (MetricsServer server =
        MetricsServer.start(registry, ListenAddress.of("0.0.0.0", "127.0.0.1"), 0, access)) {
      assertThat(server.url()).startsWith("https://127.0.0.1:");
      HttpClient https =
          HttpClient.newBuilder().sslContext(JdkTls.client(TlsFiles.in(dir.resolve("w1")))).build();
      URI metrics = URI.create(server.url());
      assertThat(get(https, metrics, null).statusCode()).isEqualTo(401);
      assertThat(get(https, metrics, "Bearer wrong-token-of-some-length").statusCode())
          .isEqualTo(401);
      HttpResponse<String> ok = get(https, metrics, "Bearer 0123456789abcdef-token");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("tideflow_tasks_submitted_total 2.0");
      // A browser cannot send a bearer token: it is asked for one and then sends it as a cookie.
      HttpResponse<String> page =
          https.send(
              HttpRequest.newBuilder(metrics).header("Accept", "text/html").build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(401);
      String name = "tideflow_token_" + server.port();
      assertThat(page.body()).contains("A token is required").contains(name + "=");
      assertThat(cookie(https, metrics, "other=1; " + name + "=0123456789abcdef-token"))
          .isEqualTo(200);
      assertThat(cookie(https, metrics, name + "=0123456789abcdef-tokem")).isEqualTo(401);
      assertThat(cookie(https, metrics, name + "=%zz")).as("not even encoded right").isEqualTo(401);
      assertThat(cookie(https, metrics, "tideflow_token_1=0123456789abcdef-token"))
          .as("another node's cookie")
          .isEqualTo(401);
      // Liveness tells nothing, so probes need no token.
      URI health = URI.create("https://127.0.0.1:" + server.port() + "/healthz");
      assertThat(get(https, health, null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theHttpsCertificateIsReadAgainWhenItsFilesChange() throws Exception {
    ClusterCa ca = ClusterCa.create("tideflow", Instant.now(), Duration.ofDays(1));
    Path w1 = dir.resolve("w1");
    ca.issue(Identity.Role.NODE, "w1", List.of("127.0.0.1"), Instant.now(), Duration.ofHours(1))
        .save(w1);
    Path token = Files.writeString(dir.resolve("token"), "0123456789abcdef-token\n");
    HttpAccess access =
        HttpAccess.of(JdkTls.server(TlsFiles.in(w1), Duration.ofMillis(100)), token);
    try (MetricsServer server =
        MetricsServer.start(
            MetricsServer.newRegistry(), ListenAddress.of("0.0.0.0", "127.0.0.1"), 0, access)) {
      SSLContext trust = JdkTls.client(TlsFiles.in(w1));
      BigInteger first = presented(trust, server.port());
      assertThat(first).isEqualTo(certificate(w1).getSerialNumber());

      ca.issue(Identity.Role.NODE, "w1", List.of("127.0.0.1"), Instant.now(), Duration.ofHours(2))
          .save(w1);
      BigInteger renewed = certificate(w1).getSerialNumber();
      assertThat(renewed).isNotEqualTo(first);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> presented(trust, server.port()).equals(renewed));
      assertThat(
              get(
                      HttpClient.newBuilder().sslContext(trust).build(),
                      URI.create(server.url()),
                      "Bearer 0123456789abcdef-token")
                  .statusCode())
          .isEqualTo(200);
    }
  }

  /** The serial of the certificate a new handshake with the server on {@code port} is shown. */
  private static BigInteger presented(SSLContext trust, int port) throws Exception {
    try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static X509Certificate certificate(Path dir) throws Exception {
    return Pem.readCertificates(dir.resolve("tls.crt")).getFirst();
  }

  private static int cookie(HttpClient http, URI uri, String cookie) throws Exception {
    return http.send(
            HttpRequest.newBuilder(uri).header("Cookie", cookie).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static HttpResponse<String> get(HttpClient http, URI uri, String authorization)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
