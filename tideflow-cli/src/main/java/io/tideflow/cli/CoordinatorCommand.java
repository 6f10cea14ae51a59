package io.tideflow.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.core.partition.PartitionRequest;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.coordinator.FlowMonitor;
import io.tideflow.runtime.coordinator.FlowPlacer;
import io.tideflow.runtime.membership.MeteredStore;
import io.tideflow.runtime.pool.PoolLinks;
import io.tideflow.runtime.pool.PoolSpec;
import io.tideflow.runtime.pool.PoolSupervisor;
import io.tideflow.server.alert.AlertHttp;
import io.tideflow.server.alert.AlertLoop;
import io.tideflow.server.dashboard.PoolView;
import io.tideflow.server.http.MetricsServer;
import io.tideflow.store.ClusterStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Stands for coordinator and, when elected, watches the cluster's health and, with {@code --pool},
 * autoscales a pool of nodes.
 */
@Command(
    name = "coordinator",
    mixinStandardHelpOptions = true,
    description = {
      "Stands for coordinator. One candidate wins the election; it watches membership and marks",
      "nodes whose lease expired as GONE. When it dies another candidate takes over.",
      "With --pool it autoscales a pool while it leads: nodes are added when tasks in flight per",
      "node pass the target or when tasks wait because no node has room for their demand, and",
      "drained, then removed, when load falls. Local-process nodes exit with their coordinator.",
      "With --tls-dir (a coordinator's certificate) and --pool-ca, every node the pool starts is",
      "issued a certificate of its own and drained and stopped over mutual TLS."
    })
final class CoordinatorCommand implements Callable<Integer> {
  @Mixin StoreOption store;
  @Mixin MetricsOptions metricsOptions;
  @Mixin TlsOption tls;

  @Mixin AlertOptions alerts;

  @Option(names = "--id", description = "Candidate id (default: coordinator-<random>)")
  String id = "coordinator-" + UUID.randomUUID().toString().substring(0, 8);

  @Option(
      names = "--lease-ttl",
      paramLabel = "DURATION",
      description = "Leadership lease TTL (default: ${DEFAULT-VALUE})",
      converter = Durations.class)
  Duration leaseTtl = Duration.ofSeconds(3);

  @Option(
      names = "--metrics-port",
      description = "HTTP port of /metrics, 0 for any, -1 for none (default: ${DEFAULT-VALUE})")
  int metricsPort = 0;

  @picocli.CommandLine.ArgGroup(exclusive = false, heading = "Autoscaling%n")
  PoolOptions pool = new PoolOptions();

  /** Counted down to stop (the shutdown hook does; tests may). */
  final CountDownLatch stop = new CountDownLatch(1);

  private static List<PoolView> pools(PoolSupervisor pool) {
    return pool == null ? List.of() : List.of(PoolView.of(pool));
  }

  @Override
  public Integer call() throws Exception {
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    // For the process's life: it ends with the command.
    MetricsServer.bindJvm(registry);
    try (ClusterStore clusterStore = MeteredStore.wrap(store.open(), registry);
        MetricsServer metrics = metricsOptions.start(registry, metricsPort, tls.dir);
        Coordinator coordinator =
            Coordinator.start(id, clusterStore, leaseTtl, Duration.ofSeconds(5), registry);
        FlowPlacer flows =
            FlowPlacer.start(
                clusterStore,
                coordinator,
                Duration.ofSeconds(5),
                PartitionRequest.DEFAULT_IMBALANCE);
        FlowMonitor flowMonitor =
            FlowMonitor.start(clusterStore, Duration.ofSeconds(5), registry)) {
      flows.scaleWith(flowMonitor::flows);
      AtomicReference<PoolSupervisor> pooled = new AtomicReference<>();
      AlertLoop alertLoop;
      try {
        alertLoop = alerts.start(registry, coordinator::isLeader, List.of());
      } catch (IllegalArgumentException e) {
        System.err.println("tideflow coordinator: " + e.getMessage());
        return ExitCodes.USAGE;
      }
      LiveDashboard dashboard = null;
      if (metrics != null) {
        try {
          AlertHttp.serve(metrics, alertLoop, InstantSource.system());
          metrics.route("/flows", flowMonitor::describe);
          dashboard =
              LiveDashboard.serve(
                  metrics,
                  clusterStore,
                  "tideflow",
                  s ->
                      s.withRole(() -> id + (coordinator.isLeader() ? " leads" : " stands by"))
                          .withPools(() -> pools(pooled.get()))
                          .withFlows(flowMonitor::flows)
                          .withAlerts(alertLoop::alerts)
                          .withRegistry(registry));
        } catch (RuntimeException e) {
          alertLoop.close(); // the finally below that closes it is not reached
          throw e;
        }
      }
      // The hook waits (bounded) for the cleanup below: the pool's nodes stopped, the lease
      // given back, so a successor need not wait out a TTL.
      CountDownLatch cleaned = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                stop.countDown();
                try {
                  cleaned.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "tideflow-coordinator-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      coordinator.onMembershipChange(
          e ->
              System.out.println(
                  "node "
                      + e.nodeId()
                      + ": "
                      + (e.from() == null ? "joined" : e.from())
                      + " -> "
                      + e.to()));
      PoolSupervisor running = null;
      PoolLinks links = null;
      try {
        if (pool != null && pool.enabled()) {
          try {
            PoolSpec spec = pool.spec();
            links = pool.links(tls.open());
            running =
                PoolSupervisor.attach(
                    spec,
                    coordinator,
                    clusterStore,
                    store.uri,
                    registry,
                    InstantSource.system(),
                    links);
            pooled.set(running);
          } catch (IllegalArgumentException e) {
            System.err.println("tideflow coordinator: " + e.getMessage());
            return ExitCodes.USAGE;
          }
          if (metrics != null) {
            PoolSupervisor p = running;
            metrics.route(
                "/autoscaler",
                () ->
                    "providers: "
                        + p.providerHealth()
                        + "\n"
                        + AutoscaleDemo.describe(pool.pool, p.decisions()));
          }
        }
        System.out.println(
            "coordinator "
                + id
                + " standing"
                + (metrics == null ? "" : " metrics " + metrics.url())
                + (dashboard == null ? "" : " dashboard " + dashboard.url())
                + (running == null ? "" : " autoscaling pool " + pool.pool + " while it leads"));
        System.out.flush();
        stop.await();
        return ExitCodes.OK;
      } finally {
        if (running != null) {
          running.close();
        }
        if (links != null && links.nodes().certificates() != null) {
          links.nodes().certificates().close();
        }
        if (dashboard != null) {
          dashboard.close();
        }
        alertLoop.close();
        coordinator.close();
        cleaned.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // Already shutting down: the hook is running or ran.
        }
      }
    }
  }
}
