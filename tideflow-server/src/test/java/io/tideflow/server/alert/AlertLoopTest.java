package io.tideflow.server.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.core.alert.Alert;
import io.tideflow.core.alert.AlertRule;
import io.tideflow.core.alert.Severity;
import io.tideflow.core.alert.Silence;
import io.tideflow.server.http.MetricsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertLoopTest {
  private static final Duration INTERVAL = Duration.ofMillis(100);

  private final PrometheusMeterRegistry registry = MetricsServer.newRegistry();
  private final AtomicReference<Double> load = new AtomicReference<>(0.1);
  private final AtomicInteger refuse = new AtomicInteger();
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private final List<JsonElement> received = new CopyOnWriteArrayList<>();
  private final HttpServer receiver;

  AlertLoopTest() throws IOException {
    Gauge.builder("test.load", load, AtomicReference::get).tag("node", "w1").register(registry);
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    receiver.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          int status = 200;
          if (refuse.get() > 0) {
            refuse.decrementAndGet();
            status = 503;
          } else {
            paths.add(exchange.getRequestURI().getPath());
            received.add(JsonParser.parseString(body));
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  private URI receiverUri(String path) {
    return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + path);
  }

  private static final AlertRule HOT =
      AlertRule.of(
              "NodeHot", "test_load > 0.8", Severity.CRITICAL, "{{ $labels.node }} at {{ $value }}")
          .withFor(Duration.ofMillis(200))
          .withKeepFiringFor(Duration.ofMillis(200));

  private AlertLoop loop(AlertChannel channel, AtomicBoolean leads) {
    return AlertLoop.start(
        List.of(HOT),
        () -> PrometheusText.parse(registry.scrape()),
        leads::get,
        List.of(channel, new LogChannel()),
        INTERVAL,
        InstantSource.system(),
        registry,
        Duration.ofMillis(20));
  }

  @Test
  void aRuleFiresAndResolvesAtAWebhookReceiver() {
    try (AlertLoop alerts =
        loop(new WebhookChannel(receiverUri("/hook")), new AtomicBoolean(true))) {
      load.set(0.95);
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
      JsonObject firing = received.getFirst().getAsJsonObject();
      assertThat(firing.get("status").getAsString()).isEqualTo("firing");
      JsonObject alert = firing.getAsJsonArray("alerts").get(0).getAsJsonObject();
      assertThat(alert.getAsJsonObject("labels").get("alertname").getAsString())
          .isEqualTo("NodeHot");
      assertThat(alert.getAsJsonObject("labels").get("severity").getAsString())
          .isEqualTo("critical");
      assertThat(alert.getAsJsonObject("labels").get("node").getAsString()).isEqualTo("w1");
      assertThat(alert.getAsJsonObject("annotations").get("summary").getAsString())
          .isEqualTo("w1 at 0.950");
      assertThat(alert.get("endsAt").getAsString()).isEqualTo(AlertJson.NO_END);
      assertThat(alerts.alerts()).extracting(Alert::state).containsExactly(Alert.State.FIRING);
      assertThat(registry.get("tideflow.alerts.firing").tag("severity", "critical").gauge().value())
          .isEqualTo(1);

      load.set(0.1);
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
      JsonObject resolved = received.get(1).getAsJsonObject();
      assertThat(resolved.get("status").getAsString()).isEqualTo("resolved");
      JsonObject gone = resolved.getAsJsonArray("alerts").get(0).getAsJsonObject();
      assertThat(Instant.parse(gone.get("endsAt").getAsString()))
          .isAfter(Instant.parse(alert.get("startsAt").getAsString()));
      assertThat(alerts.alerts()).isEmpty();
      assertThat(paths).containsOnly("/hook");
    }
  }

  @Test
  void alertmanagerIsSentEveryFiringAlertAgainAndTheResolutionOnce() {
    try (AlertLoop alerts =
        loop(new AlertmanagerChannel(receiverUri("/am/"), INTERVAL), new AtomicBoolean(true))) {
      load.set(0.9);
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 3);
      assertThat(paths).containsOnly("/am/api/v2/alerts");
      for (JsonElement post : received) {
        JsonArray batch = post.getAsJsonArray();
        assertThat(batch).hasSize(1);
        JsonObject a = batch.get(0).getAsJsonObject();
        assertThat(a.getAsJsonObject("labels").get("alertname").getAsString()).isEqualTo("NodeHot");
        // Valid for a while ahead: Alertmanager resolves it itself if the sending stops.
        assertThat(Instant.parse(a.get("endsAt").getAsString())).isAfter(Instant.now());
      }
      load.set(0.1);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                JsonArray last = received.getLast().getAsJsonArray();
                return last.size() == 1
                    && !Instant.parse(last.get(0).getAsJsonObject().get("endsAt").getAsString())
                        .isAfter(Instant.now());
              });
      int after = received.size();
      await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
      assertThat(received).as("nothing more once resolved").hasSize(after);
    }
  }

  @Test
  void aSilencedAlertIsShownButNotSentAndAStandbySendsNothing() {
    AtomicBoolean leads = new AtomicBoolean(false);
    try (AlertLoop alerts = loop(new WebhookChannel(receiverUri("/hook")), leads)) {
      load.set(0.95);
      await().pollDelay(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> true);
      assertThat(alerts.alerts()).as("a standby evaluates nothing").isEmpty();
      alerts.silence(
          new Silence(
              "s1",
              Map.of("alertname", "NodeHot"),
              Instant.now(),
              Instant.now().plusSeconds(60),
              "drill"));
      leads.set(true);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  alerts.alerts().size() == 1
                      && alerts.alerts().getFirst().state() == Alert.State.FIRING);
      assertThat(alerts.alerts().getFirst().silencedBy()).isEqualTo("s1");
      assertThat(received).isEmpty();
      assertThat(alerts.expire("s1")).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
      assertThat(received.getFirst().getAsJsonObject().get("status").getAsString())
          .isEqualTo("firing");
    }
  }

  /** Posts {@code json} to the silences endpoint as {@code type}. */
  private static java.net.http.HttpResponse<String> silence(
      java.net.http.HttpClient http, String base, String type, String json) throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(URI.create(base + "/api/v1/silences"))
            .header("Content-Type", type)
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void silencesAreSetListedAndEndedOverHttp() throws Exception {
    try (AlertLoop alerts = loop(new LogChannel(), new AtomicBoolean(true));
        MetricsServer server = MetricsServer.start(registry, 0)) {
      AlertHttp.serve(server, alerts, InstantSource.system());
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String base = server.baseUrl();
      var created =
          silence(
              http,
              base,
              "application/json",
              "{\"id\":\"upgrade\",\"matchers\":{\"alertname\":\"NodeHot\"},\"duration\":\"2h\",\"comment\":\"kernel\"}");
      assertThat(created.statusCode()).isEqualTo(201);
      load.set(0.95);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                String body =
                    http.send(
                            java.net.http.HttpRequest.newBuilder(
                                    URI.create(base + "/api/v1/alerts"))
                                .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                        .body();
                JsonObject o = JsonParser.parseString(body).getAsJsonObject();
                return o.getAsJsonArray("silences").size() == 1
                    && o.getAsJsonArray("alerts").size() == 1
                    && "upgrade"
                        .equals(
                            o.getAsJsonArray("alerts")
                                .get(0)
                                .getAsJsonObject()
                                .get("silencedBy")
                                .getAsString());
              });
      var bad = silence(http, base, "application/json", "{\"matchers\":{},\"duration\":\"1h\"}");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("give at least one matcher");
      var unknown = silence(http, base, "application/json", "{\"matcher\":{\"a\":\"b\"}}");
      assertThat(unknown.body()).contains("unknown field 'matcher'");
      var foreign =
          silence(http, base, "text/plain", "{\"matchers\":{\"a\":\"b\"},\"duration\":\"1h\"}");
      assertThat(foreign.statusCode()).as("what another site's page could send").isEqualTo(415);
      var tooLong =
          silence(
              http,
              base,
              "application/json",
              "{\"matchers\":{\"a\":\"b\"},\"duration\":\"99999h\"}");
      assertThat(tooLong.statusCode()).isEqualTo(400);
      assertThat(tooLong.body()).contains("at most 30 days long");
      var delete =
          java.net.http.HttpRequest.newBuilder(URI.create(base + "/api/v1/silences/upgrade"))
              .DELETE()
              .build();
      assertThat(
              http.send(delete, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode())
          .isEqualTo(204);
      assertThat(
              http.send(delete, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode())
          .isEqualTo(404);
      assertThat(alerts.silences()).isEmpty();
    }
  }

  @Test
  void aReceiverThatRefusesIsTriedAgain() {
    refuse.set(2);
    try (AlertLoop alerts =
        loop(new WebhookChannel(receiverUri("/hook")), new AtomicBoolean(true))) {
      load.set(0.95);
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
      assertThat(refuse.get()).isZero();
      assertThat(
              registry
                  .get("tideflow.alerts.deliveries")
                  .tag("channel", "webhook")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(
              registry
                  .get("tideflow.alerts.delivery.failures")
                  .tag("channel", "webhook")
                  .counter()
                  .count())
          .isZero();
    }
  }
}
