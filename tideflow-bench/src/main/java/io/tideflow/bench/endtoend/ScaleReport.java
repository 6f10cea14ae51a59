package io.tideflow.bench.endtoend;

import io.tideflow.bench.flow.SvgPlot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The end-to-end figures against scale factor: for each Tideflow backend of a run, its worker
 * nodes, its peak throughput, the latency at that peak, the efficiency (throughput per node over
 * the single-node figure) and what bounded it — as a Markdown table and an HTML page with the
 * charts. Backends of other systems in the run are listed beside, without an efficiency.
 */
final class ScaleReport {
  private static final Pattern WORKERS = Pattern.compile("tideflow-(\\d+)w");

  /** One backend of the run and the node count its name says (0 when it says none). */
  record Row(BackendSummary summary, int workers, double efficiency, String bottleneck) {}

  private final List<Row> rows;

  private ScaleReport(List<Row> rows) {
    this.rows = List.copyOf(rows);
  }

  /** Worker nodes of a backend by its name: {@code tideflow-Nw}, {@code tideflow} (2), or 0. */
  static int workers(String backend) {
    if (backend.equals("tideflow")) {
      return 2;
    }
    Matcher m = WORKERS.matcher(backend);
    return m.matches() ? Integer.parseInt(m.group(1)) : 0;
  }

  static ScaleReport of(List<BackendSummary> summaries, int cores) {
    double single = 0;
    for (BackendSummary s : summaries) {
      if (workers(s.backend()) == 1 && s.measured()) {
        single = s.medianThroughput();
      }
    }
    List<Row> rows = new ArrayList<>();
    for (BackendSummary s : summaries) {
      int n = workers(s.backend());
      double efficiency =
          n > 0 && single > 0 && s.measured() ? s.medianThroughput() / (n * single) : Double.NaN;
      rows.add(new Row(s, n, efficiency, bottleneck(s, n, cores)));
    }
    return new ScaleReport(rows);
  }

  /**
   * What bounded a backend's peak: the machine's CPU when this JVM and the others together used
   * nearly all of it, else the window of tasks in flight (latency bound, not CPU).
   */
  static String bottleneck(BackendSummary s, int workers, int cores) {
    if (!s.measured()) {
      return "not measured: " + s.problem();
    }
    double own = s.processCores();
    double others = Double.isNaN(s.otherCores()) ? 0 : s.otherCores();
    if (Double.isNaN(own)) {
      return "unknown: the JVM does not report its CPU time";
    }
    String use =
        String.format(
            Locale.ROOT, "this JVM %.2f of %d cores, other processes %.2f", own, cores, others);
    if (own + others >= 0.9 * cores) {
      return (workers > 0
              ? "the machine's CPU, shared by the client and " + workers + " worker node(s)"
              : "the machine's CPU")
          + " ("
          + use
          + ")";
    }
    return "not the CPU (" + use + "): the tasks in flight and their round trips";
  }

  String markdown() {
    StringBuilder t =
        new StringBuilder(
            "| backend | nodes | throughput (tasks/s) | p50 at peak | p99 at peak | efficiency |"
                + " bottleneck |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (Row r : rows) {
      t.append("| ").append(String.join(" | ", cells(r))).append(" |\n");
    }
    return t.toString();
  }

  private static List<String> cells(Row r) {
    BackendSummary s = r.summary();
    return List.of(
        s.backend(),
        r.workers() == 0 ? "–" : Integer.toString(r.workers()),
        String.format(Locale.ROOT, "%,.0f", s.medianThroughput()),
        LatencyFormat.format(s.peakP50Nanos()),
        LatencyFormat.format(s.peakP99Nanos()),
        Double.isNaN(r.efficiency()) ? "–" : String.format(Locale.ROOT, "%.2f", r.efficiency()),
        r.bottleneck());
  }

  String html() {
    StringBuilder page =
        new StringBuilder(
            "<!doctype html><meta charset=utf-8><title>Tideflow: throughput against scale"
                + " factor</title><body style=\"font-family:sans-serif;max-width:960px;margin:auto\">"
                + "<h1>End-to-end throughput against worker nodes</h1><table border=1 cellpadding=4"
                + " style=\"border-collapse:collapse\"><tr><th>backend<th>nodes<th>tasks/s<th>p50"
                + "<th>p99<th>efficiency<th>bottleneck");
    List<double[]> throughput = new ArrayList<>();
    List<double[]> efficiency = new ArrayList<>();
    int most = 1;
    for (Row r : rows) {
      page.append("<tr>");
      for (String cell : cells(r)) {
        page.append("<td>").append(cell.replace("&", "&amp;").replace("<", "&lt;"));
      }
      if (r.workers() > 0 && r.summary().measured()) {
        throughput.add(new double[] {r.workers(), r.summary().medianThroughput() / 1000});
        if (!Double.isNaN(r.efficiency())) {
          efficiency.add(new double[] {r.workers(), r.efficiency()});
        }
        most = Math.max(most, r.workers());
      }
    }
    page.append("</table>");
    throughput.sort((a, b) -> Double.compare(a[0], b[0]));
    efficiency.sort((a, b) -> Double.compare(a[0], b[0]));
    SvgPlot t = new SvgPlot("throughput (thousand tasks/s) against worker nodes", most, "nodes");
    t.points("Tideflow", "#2b6cb0", throughput, 1);
    page.append(t.svg());
    SvgPlot e =
        new SvgPlot("efficiency: throughput per node over the single-node figure", most, "nodes");
    e.points("Tideflow", "#dd6b20", efficiency, 1);
    e.level("ideal", "#8c959f", 1);
    page.append(e.svg());
    return page.append("</body>").toString();
  }
}
