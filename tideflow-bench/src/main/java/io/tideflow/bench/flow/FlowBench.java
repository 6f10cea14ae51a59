package io.tideflow.bench.flow;

import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.flow.FlowExecution;
import io.tideflow.runtime.flow.FlowProcesses;
import io.tideflow.runtime.flow.InstanceStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Messages per second at the sink of in-node flows on Tideflow's flow runtime, beside the same
 * pipelines on Hazelcast Jet ({@link JetPipelines}) in the same run. Each round starts the flow
 * afresh, lets it warm up, then counts what the sink received over the measured seconds; the table
 * gives the median round and the range.
 *
 * <pre>
 * FlowBench [--rounds 3] [--warmup 3] [--seconds 5] [--only tideflow|jet]
 * </pre>
 *
 * Pipelines: {@code pipeline-2} (a source into a sink, one instance each) and {@code chain-8} (a
 * source, six pass stages, a sink: eight processes in a line, forward channels of 1,024).
 */
public final class FlowBench {
  private FlowBench() {}

  record Options(int rounds, int warmupSeconds, int seconds, String only) {
    static Options parse(String[] args) {
      int rounds = 3;
      int warmup = 3;
      int seconds = 5;
      String only = "";
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--rounds" -> rounds = Integer.parseInt(args[++i]);
          case "--warmup" -> warmup = Integer.parseInt(args[++i]);
          case "--seconds" -> seconds = Integer.parseInt(args[++i]);
          case "--only" -> only = args[++i];
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      return new Options(rounds, warmup, seconds, only);
    }
  }

  /** A line of {@code stages} processes, parallelism 1, forward channels of {@code capacity}. */
  static Flow chain(String name, int stages, int capacity) {
    Resources demand = Resources.of(100, 1 << 20);
    Flow.Builder b = Flow.builder(name);
    b.process(
        new ProcessSpec(
            "s0", "sequence", 1, demand, List.of(), List.of("out"), Map.of("count", "0")));
    for (int i = 1; i < stages - 1; i++) {
      b.process(new ProcessSpec("s" + i, "pass", 1, demand, List.of("in"), List.of("out")));
    }
    b.process(new ProcessSpec("s" + (stages - 1), "discard", 1, demand, List.of("in"), List.of()));
    for (int i = 0; i < stages - 1; i++) {
      b.connect("s" + i + ".out", "s" + (i + 1) + ".in", Routing.FORWARD, capacity);
    }
    return b.build();
  }

  /** Messages per second the last process of {@code flow} received over the measured window. */
  static double tideflowRound(Flow flow, Options o) throws Exception {
    try (FlowExecution execution = FlowExecution.start(flow, FlowProcesses.builtins())) {
      Thread.sleep(o.warmupSeconds() * 1000L);
      long r0 = sinkReceived(execution);
      long t0 = System.nanoTime();
      Thread.sleep(o.seconds() * 1000L);
      long r1 = sinkReceived(execution);
      long t1 = System.nanoTime();
      return (r1 - r0) / ((t1 - t0) / 1e9);
    }
  }

  private static long sinkReceived(FlowExecution execution) {
    List<InstanceStats> stats = execution.stats();
    return stats.get(stats.size() - 1).received();
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    List<String> rows = new ArrayList<>();
    rows.add("| pipeline | system | msgs/s at the sink (median) | range |");
    rows.add("| --- | --- | --- | --- |");
    for (int stages : new int[] {2, 8}) {
      String name = stages == 2 ? "pipeline-2" : "chain-8";
      if (!o.only().equals("jet")) {
        rows.add(
            row(
                name,
                "Tideflow",
                rounds(o, name, () -> tideflowRound(chain(name, stages, 1024), o))));
      }
      if (!o.only().equals("tideflow")) {
        rows.add(
            row(name, "Hazelcast Jet 5.5", rounds(o, name, () -> JetPipelines.round(stages, o))));
      }
    }
    System.out.println();
    rows.forEach(System.out::println);
  }

  interface Round {
    double run() throws Exception;
  }

  private static double[] rounds(Options o, String name, Round round) throws Exception {
    double[] rates = new double[o.rounds()];
    for (int i = 0; i < rates.length; i++) {
      rates[i] = round.run();
      System.out.printf(
          Locale.ROOT, "%s round %d/%d: %,.0f msgs/s%n", name, i + 1, rates.length, rates[i]);
    }
    Arrays.sort(rates);
    return rates;
  }

  private static String row(String name, String system, double[] sorted) {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %,.0f | %,.0f–%,.0f |",
        name,
        system,
        sorted[sorted.length / 2],
        sorted[0],
        sorted[sorted.length - 1]);
  }
}
