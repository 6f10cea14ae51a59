package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.core.alert.BuiltinRules;
import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.autoscale.PoolConfig;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.membership.MeteredStore;
import io.tideflow.runtime.pool.PolicySpec;
import io.tideflow.runtime.pool.PoolSpec;
import io.tideflow.runtime.pool.PoolSupervisor;
import io.tideflow.runtime.pool.ProviderKind;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.server.alert.AlertLoop;
import io.tideflow.server.alert.PrometheusText;
import io.tideflow.server.http.MetricsServer;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.memory.MemoryClusterStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One scrape of a coordinator that runs a pool, beside a client, shows every family of meters the
 * cluster exports, named and labelled as Prometheus expects.
 */
class MetricsScrapeTest {
  @Test
  void aScrapeShowsTheJvmTheNodesThePoolTheStoreTheClientAndTheAlerts() throws Exception {
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    try (AutoCloseable jvm = MetricsServer.bindJvm(registry);
        MemoryClusterStore memory = new MemoryClusterStore();
        ClusterStore store = MeteredStore.wrap(memory, registry);
        Coordinator coordinator =
            Coordinator.start("c1", store, Duration.ofSeconds(2), Duration.ofSeconds(5), registry);
        PoolSupervisor pool =
            PoolSupervisor.attach(
                new PoolSpec(
                    "web",
                    new NodeTemplate(
                        "web",
                        Resources.of(1000, 1L << 30),
                        Map.of(PoolConfig.POOL_LABEL, "web"),
                        Duration.ofSeconds(2)),
                    List.of(ProviderKind.IN_PROCESS),
                    List.of(new PolicySpec.PendingDemand(), PolicySpec.Threshold.eightyTwenty()),
                    new PoolLimits(1, 3, Duration.ZERO, Duration.ZERO, 2.0),
                    Duration.ofMillis(200),
                    Duration.ofMinutes(10),
                    Duration.ofSeconds(5),
                    100,
                    0,
                    Duration.ofSeconds(1)),
                coordinator,
                store,
                null,
                registry);
        TideflowClient client = TideflowClient.connect(store, ClientConfig.defaults(), registry);
        AlertLoop alerts =
            AlertLoop.start(
                BuiltinRules.all(),
                () -> PrometheusText.parse(registry.scrape()),
                coordinator::isLeader,
                List.of(),
                Duration.ofMillis(200),
                InstantSource.system(),
                registry);
        MetricsServer http = MetricsServer.start(registry, 0)) {
      // The pool starts at one node; the 80/20 rule may add more while this JVM's cpu is busy.
      await().atMost(Duration.ofSeconds(30)).until(() -> !client.view().nodes().isEmpty());
      client.submit(TaskSpec.builder("echo").build()).get(30, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                String scrape =
                    HttpClient.newHttpClient()
                        .send(
                            HttpRequest.newBuilder(URI.create(http.url())).build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body();
                assertThat(scrape)
                    // The JVM and the process (Micrometer's binders).
                    .contains("jvm_memory_used_bytes{")
                    .contains("jvm_gc_memory_allocated_bytes_total")
                    .contains("jvm_threads_live_threads")
                    .contains("jvm_classes_loaded_classes")
                    .contains("process_cpu_usage")
                    .contains("process_uptime_seconds")
                    .contains("system_cpu_count")
                    // Every node as the leader sees it.
                    .containsPattern("tideflow_node_cpu_usage\\{node=\"web-1\"\\}")
                    .containsPattern("tideflow_node_heap_used_bytes\\{node=\"web-1\"\\} [1-9]")
                    .contains("tideflow_node_heap_max_bytes{node=\"web-1\"}")
                    .contains("tideflow_node_network_bytes_per_second{node=\"web-1\"}")
                    .contains("tideflow_node_tasks_in_flight{node=\"web-1\"}")
                    .contains("tideflow_node_capacity_cpu_millicores{node=\"web-1\"} 1000.0")
                    .contains("tideflow_node_capacity_memory_bytes{node=\"web-1\"}")
                    .containsPattern("tideflow_cluster_nodes\\{state=\"READY\"\\} [1-3]\\.0")
                    .contains("tideflow_coordinator_nodes_lost_total{candidate=\"c1\"} 0.0")
                    // The pool.
                    .containsPattern("tideflow_pool_nodes\\{pool=\"web\"\\} [1-3]\\.0")
                    .containsPattern("tideflow_pool_nodes_desired\\{pool=\"web\"\\} [1-3]\\.0")
                    .contains("tideflow_pool_nodes_min{pool=\"web\"} 1.0")
                    .contains("tideflow_pool_nodes_max{pool=\"web\"} 3.0")
                    .containsPattern("tideflow_pool_at_max\\{pool=\"web\"\\} [01]\\.0")
                    .contains("tideflow_pool_waiting_tasks{pool=\"web\"} 0.0")
                    .contains(
                        "tideflow_pool_provider_healthy{pool=\"web\",provider=\"in-process\"} 1.0")
                    .containsPattern(
                        "tideflow_pool_decisions_total\\{direction=\"(up|hold)\",policy=\"[a-z-]+\",pool=\"web\"\\}")
                    // The store: request latency, and the watches' health.
                    .containsPattern(
                        "tideflow_store_requests_seconds_count\\{op=\"put\",outcome=\"ok\"\\} [1-9]")
                    .contains(
                        "tideflow_store_requests_seconds_bucket{op=\"list\",outcome=\"ok\",le=")
                    .containsPattern(
                        "tideflow_membership_watch_healthy\\{watcher=\"coordinator-c1\"\\} 1.0")
                    // The client: its tasks and its streams to the workers.
                    .contains("tideflow_tasks_completed_total 1.0")
                    .contains("tideflow_tasks_latency_seconds_bucket{le=")
                    .containsPattern("tideflow_client_connections\\{state=\"usable\"\\} [1-3]\\.0")
                    // Every client's tasks, as the leader exports them for its alerts.
                    .containsPattern(
                        "tideflow_cluster_tasks_completed_total\\{client=\"client-[^\"]+\"\\} 1\\.0")
                    .containsPattern(
                        "tideflow_cluster_tasks_failed_total\\{client=\"client-[^\"]+\"\\} 0\\.0")
                    // The alerts.
                    .contains("tideflow_alerts_firing{severity=\"critical\"} 0.0")
                    .containsPattern("tideflow_alerts_evaluations_total [1-9]");
              });
    }
  }
}
