package io.tideflow.cli;

import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.runtime.coordinator.FlowMonitor;
import io.tideflow.runtime.flow.FlowRecords;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tideflow deploy}, {@code flows} and {@code undeploy}: flows written to and read from the
 * cluster store. The leading coordinator places what is deployed; every worker runs its share.
 */
final class FlowDeployment {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private FlowDeployment() {}

  static FlowFile.Parsed read(Path file) throws java.io.IOException {
    if (Files.size(file) > FlowFile.MAX_CHARS) {
      throw new IllegalArgumentException(
          file + " is over " + FlowFile.MAX_CHARS + " bytes: not read");
    }
    try {
      return FlowFile.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  static Optional<FlowRecords.Placement> placement(ClusterStore store, String flow) {
    return StoreCalls.await(
            store.get(ClusterKeys.placement(flow)), TIMEOUT, "get placement " + flow)
        .map(kv -> FlowRecords.decodePlacement(kv.value()));
  }

  /** The failure of the deployment {@code d} of a flow, if one of its instances failed. */
  static Optional<FlowRecords.Failure> failure(ClusterStore store, FlowRecords.Deployed d) {
    String flow = d.flow().name();
    return StoreCalls.await(
            store.get(ClusterKeys.flowFailure(flow)), TIMEOUT, "get failure of " + flow)
        .map(kv -> FlowRecords.decodeFailure(kv.value()))
        .filter(f -> f.deployedAtMillis() == d.deployedAtMillis());
  }

  /** Instances per node, {@code w1: source#0 map#1}, one line per node. */
  static void printPlacement(PrintStream out, FlowRecords.Placement p) {
    Map<String, StringBuilder> byNode = new TreeMap<>();
    p.nodes().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                byNode
                    .computeIfAbsent(e.getValue(), n -> new StringBuilder())
                    .append(' ')
                    .append(e.getKey()));
    byNode.forEach((node, instances) -> out.println("  " + node + ":" + instances));
  }

  @Command(
      name = "deploy",
      mixinStandardHelpOptions = true,
      description = {
        "Deploys a flow from YAML: checks it whole, writes it to the cluster store, and waits",
        "for the leading coordinator to place it. A flow of the same name is refused unless",
        "--replace is given (its instances then start over)."
      })
  static final class Deploy implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FLOW.yaml", description = "The flow")
    Path file;

    @Mixin StoreOption store;

    @Spec CommandSpec spec;

    @Option(names = "--replace", description = "Replace a deployed flow of the same name")
    boolean replace;

    @Option(
        names = "--wait",
        paramLabel = "DURATION",
        converter = Durations.class,
        description = "How long to wait for its placement, 0 not to (default: ${DEFAULT-VALUE})")
    Duration wait = Duration.ofSeconds(10);

    /**
     * The new deployment's generation: the time now, and always past the deployment it replaces, so
     * that two deployments in one millisecond are still told apart.
     */
    private static long generation(ClusterStore s, String key, boolean replace) {
      long now = System.currentTimeMillis();
      if (!replace) {
        return now;
      }
      Optional<KeyValue> current = StoreCalls.await(s.get(key), TIMEOUT, "get " + key);
      if (current.isEmpty()) {
        return now;
      }
      try {
        return Math.max(now, FlowRecords.decode(current.get().value()).deployedAtMillis() + 1);
      } catch (IllegalArgumentException e) {
        return now; // a record that does not decode is replaced whole
      }
    }

    @Override
    public Integer call() throws Exception {
      FlowFile.Parsed parsed = read(file);
      Flow flow = parsed.flow();
      try (ClusterStore s = store.open()) {
        String key = ClusterKeys.flow(flow.name());
        long before = placement(s, flow.name()).map(FlowRecords.Placement::epoch).orElse(0L);
        byte[] record =
            FlowRecords.encode(
                new FlowRecords.Deployed(
                    flow, parsed.rates(), generation(s, key, replace), parsed.maxParallelism()));
        if (replace) {
          StoreCalls.await(s.put(key, record, 0), TIMEOUT, "put " + key);
        } else if (!StoreCalls.await(s.compareAndSet(key, 0, record, 0), TIMEOUT, "put " + key)) {
          spec.commandLine()
              .getErr()
              .println(
                  "flow "
                      + flow.name()
                      + " is deployed already: give --replace to replace it, or undeploy it first");
          return ExitCodes.USAGE;
        }
        System.out.println(
            "flow "
                + flow.name()
                + " deployed: "
                + flow.processes().size()
                + " processes, "
                + flow.instanceCount()
                + " instances");
        if (wait.isZero()) {
          return ExitCodes.OK;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
          Optional<FlowRecords.Placement> p = placement(s, flow.name());
          if (p.isPresent() && p.get().epoch() > before) {
            System.out.println(
                "placed (epoch "
                    + p.get().epoch()
                    + ", "
                    + p.get().cut()
                    + " msgs/s cross nodes):");
            printPlacement(System.out, p.get());
            return ExitCodes.OK;
          }
          LockSupport.parkNanos(100_000_000L);
        }
        spec.commandLine()
            .getErr()
            .println(
                "not placed within "
                    + wait.toMillis()
                    + " ms: is a coordinator running, and a worker READY? The flow stays deployed.");
        return ExitCodes.FAILED;
      }
    }
  }

  @Command(
      name = "flows",
      mixinStandardHelpOptions = true,
      description = "Lists the deployed flows and where their instances run.")
  static final class Flows implements Callable<Integer> {
    @Mixin StoreOption store;

    @Option(
        names = "--health",
        description =
            "Every instance's time split and rates, by partition, as a coordinator's /flows shows")
    boolean health;

    @Override
    public Integer call() {
      try (ClusterStore s = store.open()) {
        if (health) {
          System.out.print(FlowMonitor.describe(FlowMonitor.look(s, TIMEOUT)));
        } else {
          printFlows(System.out, s);
        }
        return ExitCodes.OK;
      }
    }
  }

  /**
   * Each deployed flow with its processes, its failure if it failed, its placement's epoch and
   * reason, its instances, and what holds it back.
   */
  static void printFlows(PrintStream out, ClusterStore s) {
    var flows = StoreCalls.await(s.list(ClusterKeys.FLOWS), TIMEOUT, "list flows").kvs();
    if (flows.isEmpty()) {
      out.println("no flow deployed");
      return;
    }
    Map<String, FlowMonitor.FlowView> health = new java.util.HashMap<>();
    for (FlowMonitor.FlowView v : FlowMonitor.look(s, TIMEOUT)) {
      health.put(v.name(), v);
    }
    for (KeyValue kv : flows) {
      FlowRecords.Deployed d = FlowRecords.decode(kv.value());
      Flow f = d.flow();
      StringBuilder processes = new StringBuilder();
      for (ProcessSpec p : f.processes()) {
        processes.append(' ').append(p.name()).append('×').append(p.parallelism());
      }
      out.println("flow " + f.name() + ":" + processes);
      failure(s, d)
          .ifPresent(
              failed ->
                  out.println(
                      "  FAILED: instance "
                          + failed.instance()
                          + " on "
                          + failed.node()
                          + ": "
                          + failed.message()
                          + " (every instance stopped; deploy --replace to run it again)"));
      Optional<FlowRecords.Placement> p = placement(s, f.name());
      if (p.isEmpty()) {
        out.println("  not placed yet");
      } else {
        out.println(
            "  epoch "
                + p.get().epoch()
                + " ("
                + p.get().reason()
                + "), "
                + p.get().cut()
                + " msgs/s cross nodes");
        printPlacement(out, p.get());
      }
      FlowMonitor.FlowView v = health.get(f.name());
      if (v != null) {
        out.print(FlowMonitor.summary(v));
      }
    }
  }

  @Command(
      name = "undeploy",
      mixinStandardHelpOptions = true,
      description = "Removes a deployed flow; every node stops its instances.")
  static final class Undeploy implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The flow's name")
    String name;

    @Mixin StoreOption store;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      try (ClusterStore s = store.open()) {
        boolean deleted =
            StoreCalls.await(s.delete(ClusterKeys.flow(name)), TIMEOUT, "delete flow " + name);
        if (!deleted) {
          spec.commandLine()
              .getErr()
              .println("no flow " + name + " is deployed (tideflow flows lists them)");
          return ExitCodes.USAGE;
        }
        System.out.println("flow " + name + " undeployed: its instances stop");
        return ExitCodes.OK;
      }
    }
  }
}
