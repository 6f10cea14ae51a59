package io.tideflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

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
}
