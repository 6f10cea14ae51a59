package io.tideflow.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.core.alert.BuiltinRules;
import io.tideflow.core.alert.Notification;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.server.alert.AlertChannel;
import io.tideflow.server.alert.AlertLoop;
import io.tideflow.server.alert.PrometheusText;
import io.tideflow.server.http.MetricsServer;
import io.tideflow.store.memory.MemoryClusterStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A whole cluster in this JVM doing real work, with one worker killed midway. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a whole cluster in this JVM: an in-memory store, two coordinator candidates and",
      "worker nodes, each with its own gRPC server on loopback. Submits a CPU-bound workload",
      "(counting primes), kills one worker midway, and prints what happened. Exits 0 only if",
      "no task was lost."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--workers", description = "Worker nodes (default: ${DEFAULT-VALUE})")
  int workers = 3;

  @Option(names = "--tasks", description = "Tasks to run (default: ${DEFAULT-VALUE})")
  int tasks = 20_000;

  @Option(
      names = "--work",
      paramLabel = "N",
      description = "Each task counts the primes below N (default: ${DEFAULT-VALUE})")
  int work = 20_000;

  @Option(
      names = "--concurrency",
      description = "Tasks in flight at once (default: ${DEFAULT-VALUE})")
  int concurrency = 64;

  @Option(
      names = "--kill-at",
      paramLabel = "FRACTION",
      description =
          "Kill a worker when this share of tasks is done; 0 kills none (default: ${DEFAULT-VALUE})")
  double killAt = 0.4;

  @Option(
      names = "--lease-ttl",
      paramLabel = "DURATION",
      description = "Node lease TTL (default: ${DEFAULT-VALUE})",
      converter = Durations.class)
  Duration leaseTtl = Duration.ofSeconds(2);

  @Option(
      names = "--metrics-port",
      description = "HTTP port of /metrics, 0 for any, -1 for none (default: ${DEFAULT-VALUE})")
  int metricsPort = 0;

  @Option(
      names = "--linger",
      paramLabel = "DURATION",
      description = {
        "After the run, keep the cluster and its dashboard up this long (default: 2m in a",
        "terminal, 0 otherwise)"
      },
      converter = Durations.class)
  Duration linger;

  @Option(
      names = "--autoscale",
      description =
          "Run the autoscaling scenario instead: load ramps up and down, the pool follows, one node is killed at the peak; writes an HTML report with a chart")
  boolean autoscale;

  @Option(
      names = "--profile",
      paramLabel = "S:RATE,...",
      description =
          "Autoscaling load profile, seconds:tasks-per-second points (default: ${DEFAULT-VALUE})")
  String profile = "0:50,15:1500,30:1500,45:50,60:50";

  @Option(
      names = "--task-millis",
      description = "Autoscaling: each task sleeps this long (default: ${DEFAULT-VALUE})")
  int taskMillis = 20;

  @Option(
      names = "--target-per-node",
      description = "Autoscaling: tasks in flight per node to aim for (default: ${DEFAULT-VALUE})")
  double targetPerNode = 4;

  @Option(
      names = "--max-nodes",
      description = "Autoscaling: most nodes in the pool (default: ${DEFAULT-VALUE})")
  int maxNodes = 12;

  @Option(
      names = "--flow",
      description = {
        "Run a flow instead of tasks: a source, parse stages and a sink deployed on the workers;",
        "one worker is killed a third of the way and every message is accounted for"
      })
  boolean flow;

  @Option(
      names = "--messages",
      description = "Flow: messages the source sends (default: ${DEFAULT-VALUE})")
  long messages = 60_000;

  @Option(
      names = "--rate",
      description = "Flow: messages per second the source sends (default: ${DEFAULT-VALUE})")
  long rate = 5_000;

  @Option(
      names = "--flow-report-dir",
      description = "Flow: where the report goes (default: ${DEFAULT-VALUE})")
  Path flowReportDir = Path.of("reports", "demo-flow");

  @Option(
      names = "--report-dir",
      description = "Autoscaling: where the report goes (default: ${DEFAULT-VALUE})")
  Path reportDir = Path.of("reports", "demo-autoscale");

  @Override
  public Integer call() throws Exception {
    if (flow) {
      if (workers < 3 || messages < 1 || rate < 1) {
        throw new IllegalArgumentException(
            "--flow needs --workers >= 3 (one runs neither source nor sink and is killed),"
                + " --messages >= 1 and --rate >= 1; were "
                + workers
                + ", "
                + messages
                + ", "
                + rate);
      }
      Logging.quiet();
      return new FlowDemo(workers, messages, rate, flowReportDir, System.out)
          .run(MetricsServer.newRegistry());
    }
    if (autoscale) {
      Logging.quiet();
      if (taskMillis <= 0 || targetPerNode <= 0 || maxNodes < 2) {
        throw new IllegalArgumentException(
            "--task-millis and --target-per-node must be > 0 and"
                + " --max-nodes >= 2, were "
                + taskMillis
                + ", "
                + targetPerNode
                + ", "
                + maxNodes);
      }
      PrometheusMeterRegistry registry = MetricsServer.newRegistry();
      return new AutoscaleDemo(
              LoadProfile.parse(profile),
              taskMillis,
              targetPerNode,
              maxNodes,
              reportDir,
              System.out)
          .run(registry);
    }
    validate();
    PrintStream out = System.out;
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    MetricsServer.bindJvm(registry); // for the demo's life: it ends with the command
    Logging.quiet();
    try (MemoryClusterStore store = new MemoryClusterStore();
        MetricsServer metrics =
            metricsPort < 0 ? null : MetricsServer.start(registry, metricsPort);
        Coordinator c1 =
            Coordinator.start("coordinator-1", store, leaseTtl, Duration.ofSeconds(5), registry);
        Coordinator c2 =
            Coordinator.start("coordinator-2", store, leaseTtl, Duration.ofSeconds(5), registry)) {
      List<WorkerNode> nodes = new ArrayList<>();
      try {
        for (int i = 1; i <= workers; i++) {
          WorkerConfig config = WorkerConfig.defaults("worker-" + i).withLeaseTtl(leaseTtl);
          nodes.add(WorkerNode.start(config, store, TaskHandlers.discover(), registry));
        }
        if (metrics == null) {
          return run(store, registry, null, null, nodes, c1, c2, out);
        }
        try (AlertLoop alerts =
                AlertLoop.start(
                    BuiltinRules.all(),
                    () -> PrometheusText.parse(registry.scrape()),
                    () -> c1.isLeader() || c2.isLeader(),
                    List.of(printed(out)),
                    Duration.ofSeconds(1),
                    InstantSource.system(),
                    registry);
            LiveDashboard dashboard =
                LiveDashboard.serve(
                    metrics,
                    store,
                    "tideflow demo",
                    s ->
                        s.withRole(() -> leader(c1, c2))
                            .withAlerts(alerts::alerts)
                            .withRegistry(registry))) {
          int code = run(store, registry, metrics, dashboard.url(), nodes, c1, c2, out);
          dashboard.linger(linger == null ? LiveDashboard.defaultLinger() : linger, out);
          return code;
        }
      } finally {
        for (WorkerNode node : nodes) {
          node.close();
        }
      }
    }
  }

  private int run(
      MemoryClusterStore store,
      PrometheusMeterRegistry registry,
      MetricsServer metrics,
      String dashboard,
      List<WorkerNode> nodes,
      Coordinator c1,
      Coordinator c2,
      PrintStream out)
      throws Exception {
    {
      out.printf(
          "tideflow demo: %d workers on loopback %s; coordinator and standby elected from 2"
              + " candidates%n",
          workers, addresses(nodes));
      if (dashboard != null) {
        out.println("dashboard: " + dashboard + "   (open it to watch the cluster live)");
      }
      if (metrics != null) {
        out.println("metrics: " + metrics.url());
      }
      String expected = Long.toString(TaskHandlers.countPrimesBelow(work));
      out.printf(
          "workload: %,d tasks, each counting the primes below %,d (answer %s)%n",
          tasks, work, expected);
      try (TideflowClient client =
          TideflowClient.connect(store, ClientConfig.defaults(), registry)) {
        DemoRun run = new DemoRun(client, tasks, concurrency, expected);
        byte[] payload = Integer.toString(work).getBytes(StandardCharsets.US_ASCII);
        TaskSpec spec =
            TaskSpec.builder("primes").payload(payload).timeout(Duration.ofSeconds(60)).build();
        int killAfter = killAt <= 0 ? -1 : (int) Math.round(tasks * killAt);
        AtomicInteger killed = new AtomicInteger();
        run.onProgress(
            done -> {
              if (killAfter >= 0 && done >= killAfter && killed.compareAndSet(0, 1)) {
                WorkerNode victim = nodes.get(nodes.size() - 1);
                out.printf(
                    "%n>>> killing %s (its connections drop, its lease is left to expire)%n",
                    victim.id());
                store.suspendKeepAlive(victim.registration().lease().id());
                victim.kill();
              }
            });
        DemoRun.Summary summary = run.execute(spec, out);
        summary.print(out);
        out.println(leaderLine(c1, c2));
        return summary.lost() == 0 ? ExitCodes.OK : ExitCodes.FAILED;
      }
    }
  }

  private void validate() {
    if (workers < 2) {
      throw new IllegalArgumentException("--workers must be >= 2 (one is killed), was " + workers);
    }
    if (tasks <= 0) {
      throw new IllegalArgumentException("--tasks must be > 0, was " + tasks);
    }
    if (work < 2) {
      throw new IllegalArgumentException("--work must be >= 2, was " + work);
    }
    if (concurrency <= 0) {
      throw new IllegalArgumentException("--concurrency must be > 0, was " + concurrency);
    }
    if (linger != null && linger.isNegative()) {
      throw new IllegalArgumentException("--linger must be >= 0, was " + linger);
    }
    if (killAt < 0 || killAt >= 1) {
      throw new IllegalArgumentException("--kill-at must be in [0, 1), was " + killAt);
    }
  }

  private static String addresses(List<WorkerNode> nodes) {
    List<String> list = new ArrayList<>();
    for (WorkerNode n : nodes) {
      list.add(n.address());
    }
    return list.toString();
  }

  /** Prints each alert that fires or resolves among the demo's lines. */
  private static AlertChannel printed(PrintStream out) {
    return new AlertChannel() {
      @Override
      public String name() {
        return "demo";
      }

      @Override
      public void deliver(Delivery d) {
        for (Notification n : d.notifications()) {
          out.printf(
              "%n>>> alert %s %s: %s%n",
              n.alert().rule().name(),
              n.kind().name().toLowerCase(java.util.Locale.ROOT),
              n.alert().summary());
        }
      }
    };
  }

  private static String leader(Coordinator c1, Coordinator c2) {
    Coordinator leader = c1.isLeader() ? c1 : c2.isLeader() ? c2 : null;
    return leader == null ? "no coordinator leads" : leader.candidate() + " leads, one stands by";
  }

  private static String leaderLine(Coordinator c1, Coordinator c2) {
    Coordinator leader = c1.isLeader() ? c1 : c2.isLeader() ? c2 : null;
    return leader == null
        ? "coordinator: none leads at the end"
        : "coordinator: "
            + leader.candidate()
            + " leads (fencing token "
            + leader.fencingToken()
            + ")";
  }

  /** Bounds what is in flight, so latency is service time and not a queue of all tasks. */
  static Semaphore window(int permits) {
    return new Semaphore(permits);
  }

  static boolean acquire(Semaphore s) throws InterruptedException {
    return s.tryAcquire(120, TimeUnit.SECONDS);
  }
}
