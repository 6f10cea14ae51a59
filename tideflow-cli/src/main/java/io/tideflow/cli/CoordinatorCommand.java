package io.tideflow.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.server.http.MetricsServer;
import io.tideflow.store.ClusterStore;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Stands for coordinator and, when elected, watches the cluster's health. */
@Command(
    name = "coordinator",
    mixinStandardHelpOptions = true,
    description = {
      "Stands for coordinator. One candidate wins the election; it watches membership and marks",
      "nodes whose lease expired as GONE. When it dies another candidate takes over."
    })
final class CoordinatorCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Option(names = "--id", description = "Candidate id (default: coordinator-<random>)")
  String id = "coordinator-" + UUID.randomUUID().toString().substring(0, 8);

  @Option(names = "--lease-ttl", paramLabel = "DURATION", description = "Leadership lease TTL (default: ${DEFAULT-VALUE})", converter = Durations.class)
  Duration leaseTtl = Duration.ofSeconds(3);

  @Option(names = "--metrics-port", description = "HTTP port of /metrics, 0 for any, -1 for none (default: ${DEFAULT-VALUE})")
  int metricsPort = 0;

  @Override
  public Integer call() throws Exception {
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    try (ClusterStore clusterStore = store.open();
        MetricsServer metrics = metricsPort < 0 ? null : MetricsServer.start(registry, metricsPort);
        Coordinator coordinator =
            Coordinator.start(id, clusterStore, leaseTtl, Duration.ofSeconds(5), registry)) {
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "tideflow-coordinator-shutdown"));
      coordinator.onMembershipChange(e -> System.out.println(
          "node " + e.nodeId() + ": " + (e.from() == null ? "joined" : e.from()) + " -> " + e.to()));
      System.out.println("coordinator " + id + " standing"
          + (metrics == null ? "" : " metrics " + metrics.url()));
      System.out.flush();
      stop.await();
      return ExitCodes.OK;
    }
  }
}
