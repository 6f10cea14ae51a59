package io.tideflow.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.membership.MeteredStore;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.ListenAddress;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.server.http.MetricsServer;
import io.tideflow.store.ClusterStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs one worker node until it is stopped, or its id is taken while its lease was gone. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a worker node: a gRPC server (on loopback unless --bind says otherwise) that runs",
      "tasks, registered in the cluster store under a lease. Stops gracefully on SIGTERM or when",
      "the coordinator terminates it",
      "(exit code 0); rejoins under a new lease when the store ended its old one, and exits with",
      "code 4 only if another node registered its id meanwhile."
    })
final class WorkerCommand implements Callable<Integer> {
  @Mixin StoreOption store;
  @Mixin MetricsOptions metricsOptions;
  @Mixin TlsOption tls;

  @Option(names = "--id", description = "Node id (default: worker-<random>)")
  String id = "worker-" + UUID.randomUUID().toString().substring(0, 8);

  @Option(
      names = "--bind",
      paramLabel = "HOST",
      description = "Address its gRPC server listens on (default: ${DEFAULT-VALUE})")
  String bind = ListenAddress.LOOPBACK.bindHost();

  @Option(
      names = "--advertise",
      paramLabel = "HOST",
      description = {
        "Host the registry records for clients to dial (default: the bind address, or for a",
        "wildcard bind this machine's first address that is neither loopback nor link-local)"
      })
  String advertise;

  @Option(names = "--port", description = "gRPC port, 0 for any (default: ${DEFAULT-VALUE})")
  int port = 0;

  @Option(
      names = "--metrics-port",
      description = "HTTP port of /metrics, 0 for any, -1 for none (default: ${DEFAULT-VALUE})")
  int metricsPort = 0;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A node label; repeatable")
  Map<String, String> labels = new LinkedHashMap<>();

  @Mixin CapacityOptions capacityOptions = new CapacityOptions();

  @Option(
      names = "--lease-ttl",
      paramLabel = "DURATION",
      description = "Lease TTL, e.g. 3s (default: ${DEFAULT-VALUE})",
      converter = Durations.class)
  Duration leaseTtl = WorkerConfig.DEFAULT_LEASE_TTL;

  @Option(names = "--max-concurrent", description = "Tasks run at once (default: 64 per core)")
  Integer maxConcurrent;

  /** What the worker offers: the options given, the defaults for the rest. */
  Resources capacity(Resources defaults) {
    return capacityOptions.capacity(defaults);
  }

  @Override
  public Integer call() throws Exception {
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    // For the process's life: it ends with the command.
    MetricsServer.bindJvm(registry);
    try (ClusterStore clusterStore = MeteredStore.wrap(store.open(), registry);
        MetricsServer metrics = metricsOptions.start(registry, metricsPort, tls.dir)) {
      WorkerConfig config =
          WorkerConfig.defaults(id)
              .withProvider("local-process")
              .withListen(ListenAddress.of(bind, advertise))
              .withPort(port)
              .withLabels(labels)
              .withLeaseTtl(leaseTtl);
      config = config.withCapacity(capacity(config.capacity()));
      if (maxConcurrent != null) {
        config = config.withMaxConcurrentTasks(maxConcurrent);
      }
      WorkerNode worker =
          WorkerNode.start(config, clusterStore, TaskHandlers.discover(), registry, tls.open());
      Thread hook = new Thread(worker::close, "tideflow-worker-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      System.out.println(
          "worker "
              + id
              + " READY at "
              + worker.address()
              + (metrics == null ? "" : " metrics " + metrics.url()));
      System.out.flush();
      worker.terminated().get();
      if (worker.terminatedByCoordinator()) {
        // Ordered by the cluster's leader (e.g. scaling in): a graceful end, not a failure.
        System.out.println("worker " + id + " terminated by the coordinator");
        return ExitCodes.OK;
      }
      if (worker.registration().lost().isDone()) {
        System.err.println(
            "tideflow: worker "
                + id
                + " stopped: another node registered the id "
                + id
                + " while this one's lease was gone");
        return ExitCodes.ID_TAKEN;
      }
      return ExitCodes.OK;
    }
  }
}
