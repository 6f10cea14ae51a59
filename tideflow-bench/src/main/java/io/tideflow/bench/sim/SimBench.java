package io.tideflow.bench.sim;

import io.tideflow.bench.flow.SvgPlot;
import io.tideflow.core.autoscale.MetricsWindow;
import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.autoscale.PredictivePolicy;
import io.tideflow.core.autoscale.ScalingPolicy;
import io.tideflow.core.autoscale.TargetTrackingPolicy;
import io.tideflow.core.autoscale.ThresholdPolicy;
import io.tideflow.core.forecast.Forecaster;
import io.tideflow.core.forecast.HoltWinters;
import io.tideflow.core.forecast.LoadHistory;
import io.tideflow.core.forecast.SeasonalNaive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The simulator's benchmarks, each printing a markdown table as it goes and adding its charts to
 * {@code OUT/simulation.html}:
 *
 * <ul>
 *   <li>{@code policies}: reactive target tracking, the 80/20 threshold rule, and target tracking
 *       with a forecast beside it (seasonal naive, Holt-Winters), on four days of diurnal load with
 *       noise, a step and a spike, with the measured local-process start-up and an assumed 90 s
 *       one: seconds under-provisioned and node-hours after the first day, and the forecasts'
 *       accuracy (MAPE) per horizon;
 *   <li>{@code scale}: fixed pools of 10 to 10,000 nodes at 70 % load for a simulated hour (10,000
 *       nodes: a million tasks): wall time, placement decisions per second, decision time;
 *   <li>{@code at-scale}: a 1,000-node pool following a day of load with 1 % of nodes failing an
 *       hour and its provider out for 10 minutes on the morning ramp (working-day load).
 * </ul>
 *
 * Usage: {@code SimBench [policies|scale|at-scale|all] [OUT_DIR]}.
 */
public final class SimBench {
  private static final String[] COLOURS = {"#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030"};

  private final StringBuilder html = new StringBuilder();

  private SimBench() {}

  public static void main(String[] args) throws IOException {
    String what = args.length > 0 ? args[0] : "all";
    Path out = Path.of(args.length > 1 ? args[1] : "tideflow-bench/target/simulation");
    SimBench bench = new SimBench();
    switch (what) {
      case "policies" -> bench.policies();
      case "scale" -> bench.scale();
      case "at-scale" -> bench.atScale();
      case "all" -> {
        bench.policies();
        bench.scale();
        bench.atScale();
      }
      default ->
          throw new IllegalArgumentException(
              "unknown benchmark '" + what + "': policies, scale, at-scale or all");
    }
    Files.createDirectories(out);
    Path page = out.resolve("simulation.html");
    Files.writeString(
        page,
        "<!doctype html><meta charset=utf-8><title>Tideflow simulation</title>"
            + "<body style=\"font-family:sans-serif;max-width:960px;margin:auto\">"
            + "<h1>Tideflow cluster simulation</h1>"
            + bench.html
            + "</body>");
    System.out.println("report: " + page.toAbsolutePath());
  }

  // ---- policies against a forecast

  /** The demand a pool of these tasks asks for, per READY node, as the simulation reports it. */
  private static final String DEMAND = SimConfig.DEMAND;

  private static Supplier<List<ScalingPolicy>> reactive() {
    return () -> List.of(TargetTrackingPolicy.of(MetricsWindow.CPU, 0.7));
  }

  private static Supplier<List<ScalingPolicy>> threshold() {
    return () ->
        List.of(
            new ThresholdPolicy(
                Map.of(MetricsWindow.CPU, 0.8),
                Map.of(MetricsWindow.CPU, 0.2),
                Duration.ofMinutes(1),
                1));
  }

  private static Supplier<List<ScalingPolicy>> predictive(Forecaster f, Duration lead) {
    return () ->
        List.of(
            TargetTrackingPolicy.of(MetricsWindow.CPU, 0.7),
            new PredictivePolicy(DEMAND, f, 0.7, lead));
  }

  private record Scenario(String name, LoadModel load, Duration length, int initial) {}

  private record Row(
      String scenario, String startup, String policy, SimResult result, double from) {
    long under() {
      long s = 0;
      for (SimResult.Minute m : result.minutes()) {
        if (m.minute() >= from) {
          s += m.underSeconds();
        }
      }
      return s;
    }

    double nodeHours() {
      long s = 0;
      for (SimResult.Minute m : result.minutes()) {
        if (m.minute() >= from) {
          s += m.nodeSeconds();
        }
      }
      return s / 3600.0;
    }
  }

  void policies() {
    long day = 86_400_000L;
    List<Scenario> scenarios =
        List.of(
            new Scenario(
                "working day",
                new LoadModel.WorkingDay(2, 20, 30, 0.1, 13),
                Duration.ofDays(3),
                40),
            new Scenario("diurnal", new LoadModel.Diurnal(1, 8, 0.1, 11), Duration.ofDays(4), 60),
            new Scenario(
                "step", new LoadModel.Step(2, 8, 6 * 3_600_000L), Duration.ofHours(12), 100),
            new Scenario(
                "spike",
                new LoadModel.Spike(2, 10, 6 * 3_600_000L, 20 * 60_000L),
                Duration.ofHours(12),
                100));
    List<SimConfig.Startup> startups =
        List.of(SimConfig.Startup.LOCAL_PROCESS, SimConfig.Startup.VM);
    List<Row> rows = new ArrayList<>();
    System.out.println(
        "| load | start-up | policy | seconds under-provisioned | node-hours | served | scale events |"
            + " direction changes | wall |");
    System.out.println("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (Scenario sc : scenarios) {
      for (SimConfig.Startup st : startups) {
        Duration lead = Duration.ofMillis(st.medianMillis() * 2).plusSeconds(15);
        Map<String, Supplier<List<ScalingPolicy>>> sets = new java.util.LinkedHashMap<>();
        sets.put("target tracking", reactive());
        sets.put("threshold 80/20", threshold());
        sets.put("target tracking + seasonal naive", predictive(SeasonalNaive.daily(), lead));
        sets.put("target tracking + Holt-Winters", predictive(HoltWinters.daily(), lead));
        for (Map.Entry<String, Supplier<List<ScalingPolicy>>> set : sets.entrySet()) {
          SimConfig c =
              SimConfig.of(42, sc.length(), sc.load(), set.getValue())
                  .withTasks(500, sc.name().equals("working day") ? 120_000 : 300_000)
                  .withNodes(sc.initial(), PoolLimits.of(1, 2_000))
                  .withStartup(st);
          ClusterSim.Run run = ClusterSim.runTimed(c);
          // Days after the first: a forecast has a season of history by then.
          // The last day alone: by then every forecaster has its history (Holt-Winters needs
          // two days of it, seasonal naive one).
          double from =
              sc.length().compareTo(Duration.ofDays(1)) > 0
                  ? (sc.length().toMillis() - day) / 60_000.0
                  : 0;
          Row row = new Row(sc.name(), startupName(st), set.getKey(), run.result(), from);
          rows.add(row);
          SimResult r = run.result();
          System.out.printf(
              Locale.ROOT,
              "| %s | %s | %s | %,d | %,.0f | %.4f | %d | %d | %.1f s |%n",
              row.scenario(),
              row.startup(),
              row.policy(),
              row.under(),
              row.nodeHours(),
              r.servedShare(),
              r.scaleUps() + r.scaleDowns(),
              r.directionChanges(),
              run.timing().wallMillis() / 1000.0);
        }
      }
    }
    html.append("<h2>Policies: seconds under-provisioned and node-hours</h2>");
    html.append(
        "<p>Working day: three days, tasks of 500m for 2 minutes; diurnal: four days, tasks of 5"
            + " minutes; both measured on the last day. Step and spike: 12 hours. 4-core"
            + " nodes.</p>");
    html.append(table(rows));
    for (String st : List.of("local-process 1.8 s", "VM 90 s")) {
      SvgPlot plot =
          new SvgPlot("working day, " + st + ": nodes and demand (nodes' worth)", 72, "h");
      int colour = 0;
      boolean demandDrawn = false;
      for (Row row : rows) {
        if (!row.scenario().equals("working day") || !row.startup().equals(st)) {
          continue;
        }
        if (!demandDrawn) {
          plot.points(
              "demand / 0.7", "#8c959f", minutes(row.result(), m -> m.demandNodes() / 0.7), 1);
          demandDrawn = true;
        }
        plot.points(
            row.policy(),
            COLOURS[colour++ % COLOURS.length],
            minutes(row.result(), m -> m.nodes()),
            1);
      }
      html.append(plot.svg());
    }
    for (Row row : rows) {
      if (row.policy().equals("target tracking")
          && row.startup().startsWith("local")
          && row.result().minutes().size() > 2 * 1440) {
        forecastAccuracy(row.scenario(), row.result());
      }
    }
  }

  private static String startupName(SimConfig.Startup s) {
    return s == SimConfig.Startup.VM ? "VM 90 s" : "local-process 1.8 s";
  }

  private static List<double[]> minutes(
      SimResult r, java.util.function.ToDoubleFunction<SimResult.Minute> f) {
    List<double[]> rows = new ArrayList<>();
    for (SimResult.Minute m : r.minutes()) {
      rows.add(new double[] {m.minute() / 60.0, f.applyAsDouble(m)});
    }
    return rows;
  }

  private static String table(List<Row> rows) {
    StringBuilder t =
        new StringBuilder("<table border=1 cellpadding=4 style=\"border-collapse:collapse\">");
    t.append(
        "<tr><th>load<th>start-up<th>policy<th>s under-provisioned<th>node-hours<th>served<th>direction changes");
    for (Row r : rows) {
      t.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%s<td>%s<td>%s<td align=right>%,d<td align=right>%,.0f<td align=right>%.4f<td align=right>%d",
              r.scenario(),
              r.startup(),
              r.policy(),
              r.under(),
              r.nodeHours(),
              r.result().servedShare(),
              r.result().directionChanges()));
    }
    return t.append("</table>").toString();
  }

  /**
   * MAPE of each forecaster per horizon over the run's demand, forecast from every five-minute
   * bucket after the first two days (Holt-Winters needs two seasons) against what came.
   */
  private void forecastAccuracy(String scenario, SimResult r) {
    LoadHistory h = LoadHistory.days(8);
    for (SimResult.Minute m : r.minutes()) {
      h = h.record(Instant.ofEpochMilli(m.minute() * 60_000L), m.demandNodes());
    }
    int[] horizons = {1, 6, 24, 72}; // 5 min, 30 min, 2 h, 6 h
    System.out.println();
    System.out.println("| " + scenario + ": forecaster | MAPE +5 min | +30 min | +2 h | +6 h |");
    System.out.println("| --- | ---: | ---: | ---: | ---: |");
    StringBuilder t =
        new StringBuilder(
            "<h2>Forecast accuracy (MAPE) on the "
                + scenario
                + " demand</h2><table border=1 cellpadding=4"
                + " style=\"border-collapse:collapse\"><tr><th>forecaster<th>+5 min<th>+30 min<th>+2 h<th>+6 h");
    for (Forecaster f : List.of(SeasonalNaive.daily(), HoltWinters.daily())) {
      double[] err = new double[horizons.length];
      int[] n = new int[horizons.length];
      long first = h.oldestBucket();
      for (long t0 = first + 2 * 288; t0 + 72 <= h.newestBucket(); t0 += 3) {
        LoadHistory upTo = truncate(h, t0);
        double[] ahead = f.forecast(upTo, 72);
        for (int i = 0; i < horizons.length; i++) {
          double actual = h.mean(t0 + horizons[i]);
          if (actual > 0) {
            err[i] += Math.abs(ahead[horizons[i] - 1] - actual) / actual;
            n[i]++;
          }
        }
      }
      StringBuilder line = new StringBuilder("| " + f.name());
      t.append("<tr><td>").append(f.name());
      for (int i = 0; i < horizons.length; i++) {
        String v = String.format(Locale.ROOT, "%.1f %%", 100 * err[i] / Math.max(1, n[i]));
        line.append(" | ").append(v);
        t.append("<td align=right>").append(v);
      }
      System.out.println(line.append(" |"));
    }
    html.append(t.append("</table>"));
  }

  /** {@code h}'s buckets up to and including {@code last}. */
  private static LoadHistory truncate(LoadHistory h, long last) {
    LoadHistory out = LoadHistory.empty(h.bucket(), h.capacity());
    for (long i = h.oldestBucket(); i <= last; i++) {
      double v = h.mean(i);
      if (!Double.isNaN(v)) {
        out = out.record(h.startOf(i), v);
      }
    }
    return out;
  }

  // ---- scale factors

  void scale() {
    System.out.println();
    System.out.println(
        "| nodes | tasks in the simulated hour | wall | tasks simulated / s | placement decisions / s |"
            + " decision p50 | decision p99 |");
    System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    StringBuilder t =
        new StringBuilder(
            "<h2>Scale factors: one simulated hour at 70 % load</h2><table border=1 cellpadding=4"
                + " style=\"border-collapse:collapse\"><tr><th>nodes<th>tasks<th>wall<th>tasks/s"
                + "<th>placements/s<th>decision p50<th>decision p99");
    List<double[]> speed = new ArrayList<>();
    for (int nodes : new int[] {10, 100, 1_000, 10_000}) {
      // 8 tasks of 500m fit a 4-core node; 70 % of them busy with tasks of 201.6 s: 100 tasks
      // an hour per node, a million an hour at 10,000 nodes.
      double rate = 0.7 * nodes * 8 / 201.6;
      SimConfig c =
          SimConfig.of(
                  7,
                  Duration.ofHours(1),
                  new LoadModel.Step(rate, rate, 0),
                  () -> List.of(TargetTrackingPolicy.of(MetricsWindow.CPU, 0.7)))
              .withTasks(500, 201_600)
              .withNodes(
                  nodes,
                  new PoolLimits(nodes, nodes, Duration.ofSeconds(30), Duration.ofMinutes(2), 2.0));
      ClusterSim.Run run = ClusterSim.runTimed(c);
      SimResult r = run.result();
      double wall = run.timing().wallMillis() / 1000.0;
      double placementsPerSecond = r.placements() / (run.timing().placementNanos() / 1e9);
      List<String> cells =
          List.of(
              String.format(Locale.ROOT, "%,d", nodes),
              String.format(Locale.ROOT, "%,d", r.arrived()),
              String.format(Locale.ROOT, "%.1f s", wall),
              String.format(Locale.ROOT, "%,.0f", r.arrived() / wall),
              String.format(Locale.ROOT, "%,.0f", placementsPerSecond),
              String.format(Locale.ROOT, "%.0f µs", run.timing().decisionP50Nanos() / 1e3),
              String.format(Locale.ROOT, "%.0f µs", run.timing().decisionP99Nanos() / 1e3));
      System.out.println("| " + String.join(" | ", cells) + " |");
      t.append("<tr><td>").append(String.join("<td>", cells));
      speed.add(new double[] {Math.log10(nodes), placementsPerSecond / 1000});
    }
    html.append(t.append("</table>"));
    SvgPlot plot =
        new SvgPlot("placement decisions per second (thousands) against log10(nodes)", 4, "");
    plot.points("placements / s (k)", COLOURS[0], speed, 1);
    html.append(plot.svg());
  }

  // ---- the autoscaler at scale

  void atScale() {
    SimConfig c =
        SimConfig.of(
                3, Duration.ofDays(1), new LoadModel.WorkingDay(25, 95, 30, 0.1, 5), reactive())
            .withNodes(300, PoolLimits.of(1, 1_500))
            .withFaults(0.01, Duration.ofMinutes(8 * 60 + 5), Duration.ofMinutes(10));
    ClusterSim.Run run = ClusterSim.runTimed(c);
    SimResult r = run.result();
    String line =
        String.format(
            Locale.ROOT,
            "peak %,d nodes; %,d tasks, %d lost, %,d retried; %d nodes failed; %d launched on the"
                + " second provider; served %.4f; %d scale events, %d direction changes (%.2f/h);"
                + " decisions p50 %.0f µs, p99 %.0f µs, max %.1f ms; wall %.1f s",
            r.peakNodes(),
            r.arrived(),
            r.lost(),
            r.retried(),
            r.nodesFailed(),
            r.launchedSecondary(),
            r.servedShare(),
            r.scaleUps() + r.scaleDowns(),
            r.directionChanges(),
            r.directionChanges() / 24.0,
            run.timing().decisionP50Nanos() / 1e3,
            run.timing().decisionP99Nanos() / 1e3,
            run.timing().decisionMaxNanos() / 1e6,
            run.timing().wallMillis() / 1000.0);
    System.out.println();
    System.out.println("at scale: " + line);
    html.append(
            "<h2>The autoscaler at scale: a day, 1 % of nodes failing an hour, a 10-minute provider outage at 08:05, on the morning ramp</h2><p>")
        .append(line)
        .append("</p>");
    SvgPlot plot = new SvgPlot("nodes and demand / 0.7 over the day", 24, "h");
    plot.points("demand / 0.7", "#8c959f", minutes(r, m -> m.demandNodes() / 0.7), 1);
    plot.points("nodes", COLOURS[0], minutes(r, m -> m.nodes()), 1);
    plot.points("waiting tasks / 10", COLOURS[4], minutes(r, m -> m.waiting() / 10.0), 1);
    html.append(plot.svg());
  }
}
