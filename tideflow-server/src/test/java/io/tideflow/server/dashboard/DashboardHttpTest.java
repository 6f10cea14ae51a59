package io.tideflow.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.LabelSelector;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.membership.DemandRecords;
import io.tideflow.server.http.MetricsServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DashboardHttpTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private static NodeInfo node(String id, NodeState state, int inFlight, long completed) {
    return new NodeInfo(
        id,
        "in-process",
        "127.0.0.1:1",
        Map.of("zone", "a"),
        Resources.of(2000, 1L << 30).withCustom("gpu", 1),
        state,
        new LoadReport(inFlight, 0, completed, 0.5, 1 << 20, 1 << 30, 1));
  }

  private static Dashboard dashboard(
      AtomicReference<ClusterView> live, ClusterView gone, List<PoolView> pools) {
    return Dashboard.start(
        Dashboard.Sources.of("test", live::get, () -> gone)
            .withRole(() -> "c1 leads")
            .withPools(() -> pools),
        Duration.ofMillis(50),
        InstantSource.system());
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheClusterAsJsonWithGoneNodesAfterTheLiveOnes() throws Exception {
    AtomicReference<ClusterView> live =
        new AtomicReference<>(
            ClusterView.of(
                3,
                List.of(node("w1", NodeState.READY, 4, 10), node("w2", NodeState.DRAINING, 0, 1))));
    ClusterView gone =
        ClusterView.of(
            2, List.of(node("w2", NodeState.GONE, 0, 1), node("w3", NodeState.READY, 0, 0)));
    DecisionRecord decision =
        new DecisionRecord(
            Instant.ofEpochMilli(5), "web", 2, 3, "threshold", "cpu=0.91", "cpu over 0.8");
    PoolView pool = new PoolView("web", 1, 5, 2, 3, true, "in-process: healthy", List.of(decision));
    PendingWork work =
        new PendingWork(
            Resources.of(4000, 1L << 30),
            LabelSelector.equality(Map.of("gpu", "a100")),
            Set.of(),
            7,
            "no node fits: 2 node(s), 2 rejected by gpu=a100");
    DemandRecords.Report waiting = new DemandRecords.Report("client-1", 9, List.of(work));
    try (Dashboard dashboard =
            Dashboard.start(
                Dashboard.Sources.of("test", live::get, () -> gone)
                    .withRole(() -> "c1 leads")
                    .withPools(() -> List.of(pool))
                    .withWaiting(() -> List.of(waiting)),
                Duration.ofMillis(50),
                InstantSource.system());
        MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), 0)) {
      String url = DashboardHttp.serve(server, dashboard);
      HttpResponse<String> r = get(url + "api/v1/cluster");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
      JsonObject frame =
          JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("frame");
      assertThat(frame.get("role").getAsString()).isEqualTo("c1 leads");
      JsonArray nodes = frame.getAsJsonArray("nodes");
      List<String> states = new ArrayList<>();
      for (var n : nodes) {
        states.add(
            n.getAsJsonObject().get("id").getAsString()
                + "="
                + n.getAsJsonObject().get("state").getAsString());
      }
      // w2 is live (draining) again: its old GONE record does not hide it; w3 is only gone.
      assertThat(states).containsExactly("w1=READY", "w2=DRAINING", "w3=GONE");
      JsonObject w1 = nodes.get(0).getAsJsonObject();
      assertThat(w1.getAsJsonObject("capacity").getAsJsonObject("custom").get("gpu").getAsLong())
          .isEqualTo(1);
      assertThat(w1.getAsJsonObject("load").get("inFlight").getAsInt()).isEqualTo(4);
      JsonObject p = frame.getAsJsonArray("pools").get(0).getAsJsonObject();
      assertThat(p.get("desired").getAsInt()).isEqualTo(3);
      assertThat(p.getAsJsonArray("decisions").get(0).getAsJsonObject().get("reason").getAsString())
          .isEqualTo("cpu over 0.8");
      JsonObject wait = frame.getAsJsonArray("waiting").get(0).getAsJsonObject();
      assertThat(wait.get("count").getAsInt()).isEqualTo(7);
      assertThat(wait.get("reason").getAsString()).endsWith("2 rejected by gpu=a100");
      assertThat(wait.get("selector").getAsString()).contains("gpu");
      JsonObject sample = frame.getAsJsonObject("sample");
      assertThat(sample.get("ready").getAsInt()).isEqualTo(1);
      assertThat(sample.get("others").getAsInt()).isEqualTo(1);
      assertThat(sample.get("gone").getAsInt()).isEqualTo(1);
      assertThat(sample.get("p99Millis").isJsonNull()).as("no client here: unknown").isTrue();
    }
  }

  @Test
  void aLeaderWithoutItsOwnClientShowsEveryClientsTasksAndWhatTheyHoldOnEachNode()
      throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    for (String client : List.of("client-a", "client-b")) {
      for (String what : List.of("submitted", "completed", "failed", "retried")) {
        double n = what.equals("submitted") ? 10 : 2;
        FunctionCounter.builder("tideflow.cluster.tasks." + what, n, x -> x)
            .tag("client", client)
            .register(registry);
      }
      Gauge.builder("tideflow.cluster.tasks.in_flight", () -> 3)
          .tag("client", client)
          .register(registry);
      Gauge.builder("tideflow.cluster.tasks.waiting", () -> 1)
          .tag("client", client)
          .register(registry);
    }
    Gauge.builder("tideflow.node.tasks.allocated.cpu", () -> 750)
        .tag("node", "w1")
        .register(registry);
    Gauge.builder("tideflow.node.tasks.allocated.memory", () -> 1 << 20)
        .tag("node", "w1")
        .register(registry);
    AtomicReference<ClusterView> live =
        new AtomicReference<>(ClusterView.of(1, List.of(node("w1", NodeState.READY, 6, 0))));
    try (Dashboard dashboard =
            Dashboard.start(
                Dashboard.Sources.of("test", live::get, () -> ClusterView.empty())
                    .withRegistry(registry),
                Duration.ofMillis(50),
                InstantSource.system());
        MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), 0)) {
      String url = DashboardHttp.serve(server, dashboard);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                JsonObject frame =
                    JsonParser.parseString(get(url + "api/v1/cluster").body())
                        .getAsJsonObject()
                        .getAsJsonObject("frame");
                JsonObject tasks = frame.getAsJsonObject("tasks");
                assertThat(tasks.get("client").getAsBoolean()).isTrue();
                assertThat(tasks.get("submitted").getAsLong()).isEqualTo(20);
                assertThat(tasks.get("failed").getAsLong()).isEqualTo(4);
                assertThat(tasks.get("inFlight").getAsLong()).isEqualTo(6);
                JsonObject allocated =
                    frame
                        .getAsJsonArray("nodes")
                        .get(0)
                        .getAsJsonObject()
                        .getAsJsonObject("allocated");
                assertThat(allocated.get("tasksCpuMillis").getAsLong()).isEqualTo(750);
                assertThat(allocated.get("tasksMemoryBytes").getAsLong()).isEqualTo(1 << 20);
              });
    }
  }

  @Test
  void streamsTheHistoryThenAFramePerPeriodWithTheRateTheNodesReport() throws Exception {
    AtomicReference<ClusterView> live =
        new AtomicReference<>(ClusterView.of(1, List.of(node("w1", NodeState.READY, 1, 100))));
    try (Dashboard dashboard = dashboard(live, ClusterView.empty(), List.of());
        MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), 0)) {
      String url = DashboardHttp.serve(server, dashboard);
      HttpResponse<InputStream> stream =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "api/v1/events")).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
      List<String> events = new ArrayList<>();
      double rate = 0;
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        String event = null;
        while (events.size() < 40 && rate <= 0) {
          String line = in.readLine();
          if (line.startsWith("event: ")) {
            event = line.substring(7);
            events.add(event);
          } else if (line.startsWith("data: ") && "frame".equals(event)) {
            JsonObject f = JsonParser.parseString(line.substring(6)).getAsJsonObject();
            rate = f.getAsJsonObject("sample").get("completedPerSecond").getAsDouble();
            // The node completes 10 more tasks per frame from the second frame on.
            ClusterView v = live.get();
            NodeInfo n = v.nodes().getFirst();
            live.set(
                ClusterView.of(
                    v.revision() + 1,
                    List.of(node("w1", NodeState.READY, 1, n.load().completed() + 10))));
          }
        }
      }
      assertThat(events.getFirst()).isEqualTo("history");
      assertThat(events.subList(1, events.size())).containsOnly("frame").hasSizeGreaterThan(1);
      assertThat(rate).as("completed per second from the nodes' counts").isPositive();
    }
  }

  @Test
  void answersUnknownPagesWith404AndOtherMethodsWith405() throws Exception {
    try (Dashboard dashboard =
            dashboard(new AtomicReference<>(ClusterView.empty()), ClusterView.empty(), List.of());
        MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), 0)) {
      String url = DashboardHttp.serve(server, dashboard);
      HttpResponse<String> page = get(url);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<script src=\"/dashboard/uplot.js\">");
      assertThat(get(url + "dashboard/uplot.js").body()).contains("uPlot");
      assertThat(get(url + "dashboard/app.js").statusCode()).isEqualTo(200);
      HttpResponse<String> missing = get(url + "dashboard/../../etc/passwd");
      assertThat(missing.statusCode()).isEqualTo(404);
      HttpResponse<String> post =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "api/v1/cluster"))
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.body()).contains("only GET is supported on /api/v1/cluster");
      // The metrics beside it are untouched.
      assertThat(get(server.url()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void refusesMorePagesThanTheBoundAndTakesOneWhenAnotherCloses() throws Exception {
    try (Dashboard dashboard =
            dashboard(new AtomicReference<>(ClusterView.empty()), ClusterView.empty(), List.of());
        MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), 0)) {
      URI events = URI.create(DashboardHttp.serve(server, dashboard) + "api/v1/events");
      List<InputStream> open = new ArrayList<>();
      try {
        for (int i = 0; i < DashboardHttp.MAX_STREAMS; i++) {
          HttpResponse<InputStream> r =
              http.send(
                  HttpRequest.newBuilder(events).build(),
                  HttpResponse.BodyHandlers.ofInputStream());
          assertThat(r.statusCode()).isEqualTo(200);
          open.add(r.body());
        }
        HttpResponse<String> refused =
            http.send(HttpRequest.newBuilder(events).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body())
            .contains(DashboardHttp.MAX_STREAMS + " dashboard pages are open");
        open.removeFirst().close();
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  HttpResponse<InputStream> r =
                      http.send(
                          HttpRequest.newBuilder(events).build(),
                          HttpResponse.BodyHandlers.ofInputStream());
                  open.add(r.body());
                  return r.statusCode() == 200;
                });
      } finally {
        for (InputStream in : open) {
          in.close();
        }
      }
    }
  }
}
