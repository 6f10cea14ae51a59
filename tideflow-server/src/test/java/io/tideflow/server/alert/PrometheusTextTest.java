package io.tideflow.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.core.alert.Series;
import io.tideflow.server.http.MetricsServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  @Test
  void readsTheSamplesOfARealScrapeByTheirExportedNames() {
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    Counter.builder("tideflow.tasks.failed").register(registry).increment(3);
    Gauge.builder("tideflow.pool.nodes", () -> 4).tag("pool", "we\"b\\1").register(registry);
    Gauge.builder("tideflow.pool.nodes.desired", () -> Double.NaN)
        .tag("pool", "web")
        .register(registry);
    List<Series> series = PrometheusText.parse(registry.scrape());
    assertThat(series)
        .contains(new Series("tideflow_tasks_failed_total", Map.of(), 3))
        .contains(new Series("tideflow_pool_nodes", Map.of("pool", "we\"b\\1"), 4));
    assertThat(series)
        .filteredOn(s -> s.name().equals("tideflow_pool_nodes_desired"))
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isNaN());
  }

  @Test
  void skipsCommentsAndLinesThatAreNotSamples() {
    List<Series> series =
        PrometheusText.parse(
            "# HELP x a help\n# TYPE x gauge\nx 1\nnot a sample\ny{a=\"1\",b=\"2\"} +Inf 1700000000\n\nz{broken 3\n");
    assertThat(series)
        .containsExactly(
            new Series("x", Map.of(), 1),
            new Series("y", Map.of("a", "1", "b", "2"), Double.POSITIVE_INFINITY));
  }
}
