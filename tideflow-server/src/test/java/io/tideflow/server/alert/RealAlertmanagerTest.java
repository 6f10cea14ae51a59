package io.tideflow.server.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.core.alert.AlertRule;
import io.tideflow.core.alert.BuiltinRules;
import io.tideflow.core.alert.Severity;
import io.tideflow.server.http.MetricsServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the real peers, from Debian's packages (run-tests installs them): Prometheus' promtool
 * accepts the exported rules, and Alertmanager takes, lists and resolves what the channel sends.
 */
class RealAlertmanagerTest {
  @TempDir Path dir;

  private static Path binary(String name, String pkg) {
    Path p = Path.of("/usr/bin", name);
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException(
          p + " is missing: install the Debian package " + pkg + " (./run-tests does)");
    }
    return p;
  }

  @Test
  void promtoolAcceptsTheExportedBuiltinRules() throws Exception {
    Path rules =
        Files.writeString(
            dir.resolve("tideflow-rules.yaml"),
            AlertRulesFile.write("tideflow", BuiltinRules.all()));
    Process check =
        new ProcessBuilder(
                binary("promtool", "prometheus").toString(), "check", "rules", rules.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(check.getInputStream().readAllBytes());
    assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS: " + BuiltinRules.all().size() + " rules found");
  }

  @Test
  void alertmanagerListsAFiringAlertAndDropsItOnceResolved() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config =
        Files.writeString(
            dir.resolve("alertmanager.yml"),
            "route:\n  receiver: none\nreceivers:\n  - name: none\n");
    Process am =
        new ProcessBuilder(
                binary("prometheus-alertmanager", "prometheus-alertmanager").toString(),
                "--config.file=" + config,
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("alertmanager.log").toFile())
            .start();
    HttpClient http = HttpClient.newHttpClient();
    URI base = URI.create("http://127.0.0.1:" + port);
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    AtomicReference<Double> load = new AtomicReference<>(0.95);
    Gauge.builder("test.load", load, AtomicReference::get).tag("node", "w1").register(registry);
    AlertRule hot =
        AlertRule.of("NodeHot", "test_load > 0.8", Severity.CRITICAL, "{{ $labels.node }} is hot");
    try {
      await("Alertmanager ready")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> get(http, base.resolve("/-/ready")).statusCode() == 200);
      try (AlertLoop loop =
          AlertLoop.start(
              List.of(hot),
              () -> PrometheusText.parse(registry.scrape()),
              () -> true,
              List.of(new AlertmanagerChannel(base, Duration.ofMillis(200))),
              Duration.ofMillis(200),
              InstantSource.system(),
              registry)) {
        await("the alert active in Alertmanager")
            .atMost(Duration.ofSeconds(20))
            .until(() -> active(http, base).contains("NodeHot/critical/w1/active"));
        load.set(0.1);
        await("the alert gone from Alertmanager once resolved")
            .atMost(Duration.ofSeconds(20))
            .until(() -> active(http, base).isEmpty());
        assertThat(
                registry
                    .get("tideflow.alerts.delivery.failures")
                    .tag("channel", "alertmanager")
                    .counter()
                    .count())
            .isZero();
      }
    } finally {
      am.destroy();
      if (!am.waitFor(10, TimeUnit.SECONDS)) {
        am.destroyForcibly();
      }
    }
  }

  private static HttpResponse<String> get(HttpClient http, URI uri)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Alertmanager's alerts as {@code name/severity/node/state}. */
  private static List<String> active(HttpClient http, URI base) throws Exception {
    JsonArray alerts =
        JsonParser.parseString(get(http, base.resolve("/api/v2/alerts")).body()).getAsJsonArray();
    List<String> out = new ArrayList<>();
    for (JsonElement e : alerts) {
      JsonObject a = e.getAsJsonObject();
      JsonObject labels = a.getAsJsonObject("labels");
      out.add(
          labels.get("alertname").getAsString()
              + "/"
              + labels.get("severity").getAsString()
              + "/"
              + labels.get("node").getAsString()
              + "/"
              + a.getAsJsonObject("status").get("state").getAsString());
    }
    return out;
  }
}
