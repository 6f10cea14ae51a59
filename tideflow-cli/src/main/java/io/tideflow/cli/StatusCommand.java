package io.tideflow.cli;

import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.PendingWork;
import io.tideflow.runtime.autoscale.DecisionLogs;
import io.tideflow.runtime.autoscale.ProviderHealths;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.DemandRecords;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.runtime.membership.WatchHealths;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Prints the cluster's nodes, their state and load, and who coordinates. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a table of the cluster's nodes (state, address, load), the coordinator, each",
      "autoscaled pool's last decisions, and the work that waits because no node can take it."
    })
final class StatusCommand implements Callable<Integer> {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @Mixin StoreOption store;
  @Mixin TlsOption tls;

  @Override
  public Integer call() {
    try (ClusterStore clusterStore = store.open()) {
      List<NodeInfo> live = read(clusterStore, ClusterKeys.NODES);
      List<NodeInfo> gone = read(clusterStore, ClusterKeys.GONE);
      Optional<ClusterStore.LeaderInfo> leader =
          StoreCalls.await(
              clusterStore.leader(ClusterKeys.COORDINATOR_ELECTION), TIMEOUT, "leader");
      print(System.out, live, gone, leader, System.currentTimeMillis());
      if (tls.dir != null) {
        printLinks(System.out, live, tls.open());
      }
      printWatches(System.out, clusterStore, System.currentTimeMillis());
      printDecisions(System.out, clusterStore);
      printPendingWork(System.out, clusterStore, System.currentTimeMillis());
      FlowDeployment.printFlows(System.out, clusterStore);
      return ExitCodes.OK;
    }
  }

  private static List<NodeInfo> read(ClusterStore store, String prefix) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (KeyValue kv : StoreCalls.await(store.list(prefix), TIMEOUT, "list " + prefix).kvs()) {
      nodes.add(NodeRecords.decode(kv.key(), kv.value()));
    }
    return nodes;
  }

  /**
   * How a link from here to each live node goes: the key exchange it negotiated and the identity it
   * proved, or why it was refused. Probed in parallel, each within {@link #TIMEOUT}.
   */
  private static void printLinks(PrintStream out, List<NodeInfo> live, LinkSecurity security) {
    out.println("node links from here (" + security + "):");
    List<CompletableFuture<String>> probes = new ArrayList<>();
    for (NodeInfo n : live) {
      probes.add(security.probe(n.id(), n.address(), TIMEOUT));
    }
    for (int i = 0; i < live.size(); i++) {
      out.println(
          "  " + live.get(i).id() + " at " + live.get(i).address() + ": " + probes.get(i).join());
    }
  }

  /**
   * Whether the leader's watches follow the registry: a watch that is recovering means the leader
   * acts on an old view of the nodes until it has listed them again.
   */
  private static void printWatches(PrintStream out, ClusterStore store, long nowMillis) {
    List<KeyValue> kvs =
        StoreCalls.await(store.list(ClusterKeys.WATCHES), TIMEOUT, "list watch health").kvs();
    if (kvs.isEmpty()) {
      return;
    }
    out.println("registry watches of the leader:");
    for (KeyValue kv : kvs) {
      String name = kv.key().substring(ClusterKeys.WATCHES.length());
      try {
        out.println(
            "  " + name + ": " + WatchHealths.describe(WatchHealths.decode(kv.value()), nowMillis));
      } catch (IllegalArgumentException e) {
        out.println("  " + name + ": unreadable (" + e.getMessage() + ")");
      }
    }
  }

  /** Each pool's last decisions: what it did, and why it did not do more. */
  private static void printDecisions(PrintStream out, ClusterStore store) {
    for (KeyValue kv :
        StoreCalls.await(store.list(ClusterKeys.AUTOSCALER), TIMEOUT, "list autoscaler logs")
            .kvs()) {
      List<DecisionRecord> log = DecisionLogs.decode(kv.value());
      String pool = kv.key().substring(ClusterKeys.AUTOSCALER.length());
      out.println("pool " + pool + ": last decisions (newest last)");
      StoreCalls.await(store.get(ClusterKeys.providers(pool)), TIMEOUT, "provider health")
          .ifPresent(
              h -> {
                try {
                  out.println(
                      "  providers: "
                          + ProviderHealths.describe(ProviderHealths.decode(h.value())));
                } catch (IllegalArgumentException e) {
                  out.println("  providers: unreadable (" + e.getMessage() + ")");
                }
              });
      for (DecisionRecord d : log.subList(Math.max(0, log.size() - 5), log.size())) {
        out.printf(
            "  %s  %d -> %d  [%s] %s%n", d.at(), d.current(), d.desired(), d.policy(), d.reason());
      }
    }
  }

  /** What each client waits to place because no node can take it, and why. */
  private static void printPendingWork(PrintStream out, ClusterStore store, long nowMillis) {
    List<DemandRecords.Report> reports = new ArrayList<>();
    for (KeyValue kv :
        StoreCalls.await(store.list(ClusterKeys.DEMAND), TIMEOUT, "list pending demand").kvs()) {
      try {
        reports.add(DemandRecords.decode(kv.key(), kv.value()));
      } catch (IllegalArgumentException e) {
        out.println("unreadable: " + e.getMessage()); // a newer client's record, say: go on
      }
    }
    printPendingWork(out, reports, nowMillis);
  }

  static void printPendingWork(
      PrintStream out, List<DemandRecords.Report> reports, long nowMillis) {
    if (reports.isEmpty()) {
      out.println("no work waits for a node");
      return;
    }
    out.println("work waiting for a node (pending demand):");
    for (DemandRecords.Report r : reports) {
      out.printf(
          "  %s: %d task(s), reported %ds ago%n",
          r.clientId(), r.waiting(), Math.max(0, (nowMillis - r.reportedAtMillis()) / 1000));
      for (PendingWork w : r.work()) {
        out.println("    " + w);
      }
    }
  }

  static void print(
      PrintStream out,
      List<NodeInfo> live,
      List<NodeInfo> gone,
      Optional<ClusterStore.LeaderInfo> leader,
      long nowMillis) {
    out.println(
        "coordinator: "
            + leader
                .map(l -> l.candidate() + " (fencing token " + l.fencingToken() + ")")
                .orElse("none elected"));
    String format = "%-22s %-9s %-22s %8s %7s %10s %5s %9s %8s%n";
    out.printf(
        format,
        "NODE",
        "STATE",
        "ADDRESS",
        "RUNNING",
        "QUEUED",
        "COMPLETED",
        "CPU",
        "HEAP",
        "REPORT");
    List<NodeInfo> all = new ArrayList<>(live);
    all.addAll(gone);
    for (NodeInfo n : all) {
      LoadReport l = n.load();
      out.printf(
          format,
          n.id(),
          n.state(),
          n.address(),
          l.inFlight(),
          l.queued(),
          l.completed(),
          l.cpu() < 0 ? "-" : Math.round(l.cpu() * 100) + "%",
          (l.heapUsedBytes() >> 20) + "MiB",
          l.reportedAtMillis() == 0 ? "-" : ((nowMillis - l.reportedAtMillis()) / 1000) + "s ago");
    }
    out.println(live.size() + " live node(s), " + gone.size() + " gone");
  }
}
