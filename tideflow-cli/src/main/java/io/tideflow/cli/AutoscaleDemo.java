package io.tideflow.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.autoscale.HpaBehavior;
import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.autoscale.PoolAutoscaler;
import io.tideflow.runtime.autoscale.PoolConfig;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.pool.PolicySpec;
import io.tideflow.runtime.pool.PoolSpec;
import io.tideflow.runtime.pool.PoolSupervisor;
import io.tideflow.runtime.pool.ProviderFactory;
import io.tideflow.runtime.provider.InProcessNodeProvider;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.server.dashboard.PoolView;
import io.tideflow.server.http.MetricsServer;
import io.tideflow.store.memory.MemoryClusterStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The autoscaling demo: an open-loop load that ramps up and down, a pool that follows it, one node
 * killed at the peak, a live line per second, and a report with charts at the end.
 */
final class AutoscaleDemo {
  private static final String POOL = "web";

  private final LoadProfile profile;
  private final int taskMillis;
  private final double targetPerNode;
  private final int maxNodes;
  private final Path reportDir;
  private final PrintStream out;

  AutoscaleDemo(
      LoadProfile profile,
      int taskMillis,
      double targetPerNode,
      int maxNodes,
      Path reportDir,
      PrintStream out) {
    this.profile = profile;
    this.taskMillis = taskMillis;
    this.targetPerNode = targetPerNode;
    this.maxNodes = maxNodes;
    this.reportDir = reportDir;
    this.out = out;
  }

  int run(PrometheusMeterRegistry registry) throws Exception {
    // The demo runs the coordinator's pool code as a cluster does: an elected coordinator on the
    // (in-memory) store, whose pool runs while it leads and fences its drains with its token.
    AtomicReference<InProcessNodeProvider> started = new AtomicReference<>();
    try (MemoryClusterStore store = new MemoryClusterStore();
        Coordinator coordinator =
            Coordinator.start(
                "demo-coordinator", store, Duration.ofSeconds(2), Duration.ofSeconds(5), registry);
        PoolSupervisor pool =
            PoolSupervisor.attach(spec(started), coordinator, store, null, registry);
        ClusterWatcher watcher = ClusterWatcher.start(store, Duration.ofSeconds(5));
        TideflowClient client = TideflowClient.connect(store, ClientConfig.defaults(), registry);
        MetricsServer http = MetricsServer.start(registry, 0)) {
      // The pool's floor: its first node, started by the pool once the coordinator leads.
      CompletableFuture<Void> firstNode = new CompletableFuture<>();
      watcher.onChange(
          view -> {
            if (ready(watcher) > 0) {
              firstNode.complete(null);
            }
          });
      if (ready(watcher) > 0) {
        firstNode.complete(null);
      }
      try {
        firstNode.get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new IllegalStateException("the pool started no node within 30 s", e);
      }
      http.route("/autoscaler", () -> describe(POOL, pool.decisions()));
      try (LiveDashboard dashboard =
          LiveDashboard.serve(
              http,
              store,
              "tideflow demo --autoscale",
              s ->
                  s.withRole(() -> "demo-coordinator" + (coordinator.isLeader() ? " leads" : ""))
                      .withPools(() -> List.of(PoolView.of(pool)))
                      .withRegistry(registry))) {
        out.println(
            "dashboard: " + dashboard.url() + "   (open it to watch the pool follow the load)");
        return drive(store, pool, watcher, client, http, started);
      }
    }
  }

  private int drive(
      MemoryClusterStore store,
      PoolSupervisor pool,
      ClusterWatcher watcher,
      TideflowClient client,
      MetricsServer http,
      AtomicReference<InProcessNodeProvider> started)
      throws Exception {
    {
      out.println(
          "metrics: "
              + http.url()
              + "   decisions: http://127.0.0.1:"
              + http.port()
              + "/autoscaler");
      out.printf(
          "tideflow demo --autoscale: pool '%s' from 1 to at most %d in-process nodes,"
              + " target %.0f tasks in flight per node; load %s; each task sleeps %d ms%n",
          POOL, maxNodes, targetPerNode, profile.points(), taskMillis);
      TaskSpec spec =
          TaskSpec.builder("sleep")
              .payload(Integer.toString(taskMillis).getBytes(StandardCharsets.US_ASCII))
              .timeout(Duration.ofSeconds(30))
              .build();
      LoadGenerator load = new LoadGenerator(client, spec, profile);
      AutoscaleTimeline timeline = new AutoscaleTimeline();
      load.start();
      boolean killed = false;
      long start = System.nanoTime();
      Instant startWall = Instant.now();
      while (!load.awaitFinished(Duration.ofSeconds(1))) {
        double t = (System.nanoTime() - start) / 1e9;
        timeline.second(t, load, client, ready(watcher), latest(pool.decisions()));
        out.println(timeline.lastLine());
        if (!killed && t >= profile.seconds() / 2) {
          killed = true;
          String victim = killOne(watcher, store, started.get());
          timeline.event(t, "node killed", victim + " killed: connections drop, lease expires");
          out.println(">>> killed " + victim);
        }
      }
      load.awaitAll(Duration.ofSeconds(60));
      for (DecisionRecord d : pool.decisions()) {
        if (d.scales()) {
          timeline.decision(d, startWall);
        }
      }
      return timeline.finish(load, client, reportDir, out);
    }
  }

  /** The demo's pool: in-process nodes, target tracking, quicker than the HPA's defaults. */
  private PoolSpec spec(AtomicReference<InProcessNodeProvider> started) {
    NodeTemplate template =
        new NodeTemplate(
            POOL,
            Resources.of(1000, 1L << 30),
            Map.of(PoolConfig.POOL_LABEL, POOL),
            Duration.ofSeconds(2));
    // A 10 s scale-down window instead of 5 minutes, so a one-minute demo shows both directions.
    HpaBehavior behavior =
        HpaBehavior.defaults()
            .withScaleDown(
                new HpaBehavior.Rules(
                    Duration.ofSeconds(10),
                    List.of(
                        new HpaBehavior.Limit(
                            HpaBehavior.LimitType.PERCENT, 50, Duration.ofSeconds(5))),
                    HpaBehavior.Select.MAX));
    ProviderFactory inProcess =
        (store, uri, metrics) -> {
          InProcessNodeProvider p =
              new InProcessNodeProvider(store, TaskHandlers.discover(), metrics);
          started.set(p); // the demo kills one of its nodes
          return p;
        };
    return new PoolSpec(
        POOL,
        template,
        List.of(inProcess),
        List.of(
            new PolicySpec.TargetTracking(
                PoolAutoscaler.CONCURRENCY, targetPerNode, 0.1, behavior)),
        new PoolLimits(1, maxNodes, Duration.ofSeconds(2), Duration.ofSeconds(5), 2.0),
        Duration.ofSeconds(1),
        Duration.ofMinutes(5),
        Duration.ofSeconds(10),
        1_000,
        0,
        Duration.ZERO);
  }

  static String describe(String pool, List<DecisionRecord> decisions) {
    StringBuilder sb = new StringBuilder("pool " + pool + ": decisions, newest last\n");
    for (DecisionRecord d : decisions) {
      sb.append(d.at())
          .append("  ")
          .append(d.current())
          .append(" -> ")
          .append(d.desired())
          .append("  [")
          .append(d.policy())
          .append("] ")
          .append(d.reason())
          .append('\n');
    }
    return sb.toString();
  }

  private static int ready(ClusterWatcher watcher) {
    int n = 0;
    for (NodeInfo node : watcher.view().nodes()) {
      if (node.state() == NodeState.READY) {
        n++;
      }
    }
    return n;
  }

  private static DecisionRecord latest(List<DecisionRecord> all) {
    return all.isEmpty() ? null : all.getLast();
  }

  private static String killOne(
      ClusterWatcher watcher, MemoryClusterStore store, InProcessNodeProvider provider) {
    List<NodeInfo> ready = new ArrayList<>();
    for (NodeInfo n : watcher.view().nodes()) {
      if (n.state() == NodeState.READY) {
        ready.add(n);
      }
    }
    NodeInfo victim = ready.getLast();
    WorkerNode worker = provider.worker(victim.id());
    store.suspendKeepAlive(worker.registration().lease().id());
    worker.kill();
    return victim.id();
  }
}
