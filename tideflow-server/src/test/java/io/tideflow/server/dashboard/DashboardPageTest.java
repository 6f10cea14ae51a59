package io.tideflow.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.core.alert.BuiltinRules;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.server.alert.AlertLoop;
import io.tideflow.server.alert.PrometheusText;
import io.tideflow.server.http.MetricsServer;
import io.tideflow.store.memory.MemoryClusterStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium against a running cluster: a killed node turns GONE on
 * the open page, without a reload, and the node-lost alert fires there. The last screenshot is kept
 * in {@code target/dashboard/dashboard.png}.
 */
class DashboardPageTest {
  static final Path SCREENSHOT = Path.of("target", "dashboard", "dashboard.png");

  @TempDir Path dir;

  @Test
  void aKilledNodeTurnsGoneOnTheOpenPageWithinSeconds() throws Exception {
    Duration ttl = Duration.ofSeconds(2);
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    List<WorkerNode> nodes = new ArrayList<>();
    try (MemoryClusterStore store = new MemoryClusterStore();
        Coordinator coordinator =
            Coordinator.start("coordinator-1", store, ttl, Duration.ofSeconds(5), registry);
        ClusterWatcher watcher = ClusterWatcher.start(store, Duration.ofSeconds(5));
        ClusterWatcher gone = ClusterWatcher.gone(store, Duration.ofSeconds(5));
        AlertLoop alerts =
            AlertLoop.start(
                List.of(BuiltinRules.NODE_LOST),
                () -> PrometheusText.parse(registry.scrape()),
                coordinator::isLeader,
                List.of(),
                Duration.ofMillis(250),
                InstantSource.system(),
                registry);
        Dashboard dashboard =
            Dashboard.start(
                Dashboard.Sources.of("test cluster", watcher::view, gone::view)
                    .withRole(
                        () -> coordinator.candidate() + (coordinator.isLeader() ? " leads" : ""))
                    .withAlerts(alerts::alerts)
                    .withRegistry(registry),
                Duration.ofMillis(250),
                InstantSource.system());
        MetricsServer http = MetricsServer.start(registry, 0)) {
      for (int i = 1; i <= 3; i++) {
        nodes.add(
            WorkerNode.start(
                WorkerConfig.defaults("worker-" + i).withLeaseTtl(ttl),
                store,
                TaskHandlers.discover(),
                registry));
      }
      String url = DashboardHttp.serve(http, dashboard);
      try (HeadlessChromium page = HeadlessChromium.open(url, dir.resolve("chromium"))) {
        await("three READY nodes on the page")
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    page.evaluate(
                                "document.querySelectorAll('tr[data-node][data-state=\"READY\"]').length")
                            .getAsInt()
                        == 3);
        assertThat(page.text("document.getElementById('link').dataset.link")).isEqualTo("live");
        assertThat(page.text("document.getElementById('role').textContent"))
            .isEqualTo("coordinator-1 leads");
        assertThat(page.evaluate("document.querySelectorAll('.uplot canvas').length").getAsInt())
            .as("the three charts are drawn")
            .isEqualTo(3);
        // Set on this page only: a reload would lose it.
        page.evaluate("window.loadedOnce = 'yes'");

        WorkerNode victim = nodes.get(2);
        store.suspendKeepAlive(victim.registration().lease().id());
        victim.kill();

        await("worker-3 GONE on the page")
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    "GONE"
                        .equals(
                            page.text(
                                "document.querySelector('tr[data-node=\"worker-3\"]')?.dataset.state")));
        assertThat(page.text("window.loadedOnce")).as("the page was not reloaded").isEqualTo("yes");
        assertThat(
                page.text("document.querySelector('[data-tile=\"nodes-ready\"] .v').textContent"))
            .isEqualTo("2 / 2");
        await("the nodes chart shows the GONE node")
            .atMost(Duration.ofSeconds(5))
            .until(() -> page.evaluate("series.gone[series.gone.length - 1]").getAsInt() == 1);
        await("the node-lost alert firing on the page")
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    "FIRING"
                        .equals(
                            page.text(
                                "document.querySelector('tr[data-alert=\"TideflowNodeLost\"]')?.dataset.alertState")));
        assertThat(page.uncaught()).as("errors the page threw").isEmpty();
        byte[] png = page.screenshot(SCREENSHOT);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        assertThat(png.length)
            .as("a page with tables and charts, not a blank one")
            .isGreaterThan(20_000);
      }
    } finally {
      for (WorkerNode n : nodes) {
        n.close();
      }
    }
  }
}
