package io.tideflow.cli;

import io.tideflow.core.flow.Connection;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.FlowPlacement;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.model.Resources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tideflow flow}: flows read from YAML, checked and planned. */
@Command(
    name = "flow",
    mixinStandardHelpOptions = true,
    description = "Process networks (flows) from YAML files.",
    subcommands = {FlowCommand.Plan.class})
final class FlowCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(
      name = "plan",
      mixinStandardHelpOptions = true,
      description = {
        "Reads a flow from YAML, checks it whole, and shows where its instances would run on N",
        "equal nodes, placed as the coordinator places them: the partition that keeps chatty",
        "instances together, repaired so that no node is over its memory, network or custom",
        "resources, with the messages per second that would cross nodes. Nothing is started."
      })
  static final class Plan implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FLOW.yaml", description = "The flow")
    Path file;

    @Option(names = "--nodes", required = true, paramLabel = "N", description = "Nodes to plan for")
    int nodes;

    @Option(
        names = "--imbalance",
        paramLabel = "FRACTION",
        description = "How far a node may hold more cpu than its share (default: ${DEFAULT-VALUE})")
    double imbalance = 0.1;

    @Mixin CapacityOptions each = new CapacityOptions();

    @Override
    public Integer call() throws Exception {
      if (nodes < 1) {
        throw new IllegalArgumentException("--nodes must be >= 1, was " + nodes);
      }
      FlowFile.Parsed parsed = FlowDeployment.read(file);
      Flow flow = parsed.flow();
      // Unless told, a node offers as much cpu as the whole flow asks, and no other bound.
      long cpu = 0;
      for (ProcessSpec p : flow.processes()) {
        cpu += p.parallelism() * Math.max(1, p.demand().cpuMillis());
      }
      Resources capacity =
          each.capacity(new Resources(cpu, Long.MAX_VALUE, Long.MAX_VALUE, Map.of()));
      List<FlowPlacement.Node> offered = new ArrayList<>();
      for (int node = 0; node < nodes; node++) {
        offered.add(new FlowPlacement.Node("node-" + node, capacity));
      }
      FlowPlacement.Result plan =
          new FlowPlacement().place(flow, parsed.rates(), offered, Map.of(), imbalance);
      Map<String, Resources> held = FlowPlacement.held(flow, plan.nodes());
      double total = 0;
      for (Connection c : flow.connections()) {
        total += parsed.rates().getOrDefault(c, 1.0);
      }
      System.out.printf(
          Locale.ROOT,
          "flow %s: %d processes, %d instances, %d connections%n",
          flow.name(),
          flow.processes().size(),
          flow.instanceCount(),
          flow.connections().size());
      for (int node = 0; node < nodes; node++) {
        String id = "node-" + node;
        List<String> on = new ArrayList<>();
        plan.nodes()
            .forEach(
                (instance, at) -> {
                  if (at.equals(id)) {
                    on.add(instance);
                  }
                });
        Resources asked = held.getOrDefault(id, Resources.ZERO);
        System.out.printf(
            Locale.ROOT,
            "node %d: %d millicores%s: %s%n",
            node,
            asked.cpuMillis(),
            beyondCpu(asked),
            String.join(" ", on));
      }
      System.out.printf(
          Locale.ROOT,
          "crossing nodes: %,d of %,.0f messages/s; cpu imbalance %.1f %%%n",
          plan.cut(),
          total,
          100 * plan.imbalance());
      return ExitCodes.OK;
    }

    /** What instances ask of a node besides cpu, as {@code , 2Gi memory, gpu 1}. */
    private static String beyondCpu(Resources asked) {
      StringBuilder s = new StringBuilder();
      if (asked.memoryBytes() > 0) {
        s.append(", ").append(Sizes.format(asked.memoryBytes())).append(" memory");
      }
      if (asked.networkBytesPerSec() > 0) {
        s.append(", ").append(Sizes.format(asked.networkBytesPerSec())).append("/s network");
      }
      asked
          .custom()
          .forEach((name, amount) -> s.append(", ").append(name).append(' ').append(amount));
      return s.toString();
    }
  }
}
