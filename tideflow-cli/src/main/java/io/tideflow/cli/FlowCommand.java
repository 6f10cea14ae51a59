package io.tideflow.cli;

import io.tideflow.core.flow.Connection;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.InstanceGraph;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.partition.MultilevelPartitioner;
import io.tideflow.core.partition.Partition;
import io.tideflow.core.partition.PartitionRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
        "equal nodes: the partition that keeps chatty instances together, with the messages per",
        "second that would cross nodes. Nothing is started."
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

    @Override
    public Integer call() throws Exception {
      if (nodes < 1) {
        throw new IllegalArgumentException("--nodes must be >= 1, was " + nodes);
      }
      FlowFile.Parsed parsed = FlowDeployment.read(file);
      Flow flow = parsed.flow();
      InstanceGraph instances = InstanceGraph.of(flow, parsed.rates());
      Partition plan =
          new MultilevelPartitioner()
              .partition(instances.graph(), PartitionRequest.of(nodes).withImbalance(imbalance));
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
        List<String> on = new ArrayList<>();
        for (ProcessSpec p : flow.processes()) {
          for (int i = 0; i < p.parallelism(); i++) {
            if (plan.part(instances.vertex(p.name(), i)) == node) {
              on.add(p.name() + "#" + i);
            }
          }
        }
        System.out.printf(
            Locale.ROOT,
            "node %d: %d millicores: %s%n",
            node,
            plan.partWeight(node),
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
  }
}
