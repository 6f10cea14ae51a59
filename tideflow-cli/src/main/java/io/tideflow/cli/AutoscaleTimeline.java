package io.tideflow.cli;

import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.server.report.ReportWriter;
import io.tideflow.server.report.RunTimeline;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** What the autoscaling demo saw each second, and the report made of it at the end. */
final class AutoscaleTimeline {
  private final RunTimeline.Builder report =
      RunTimeline.builder("Tideflow autoscaling demo: load up and down, one node killed");
  private long lastSucceeded;
  private long lastRetried;
  private long lastFailed;
  private long maxP99Micros;
  private double lastP50;
  private double lastP99;
  private int maxNodes;
  private String lastLine = "";

  void second(
      double t, LoadGenerator load, TideflowClient client, int nodes, DecisionRecord lastDecision) {
    Histogram lat = load.drainLatencies();
    long succeeded = load.succeeded();
    TideflowClient.Stats stats = client.stats();
    long throughput = succeeded - lastSucceeded;
    lastSucceeded = succeeded;
    long retried = stats.retried() - lastRetried;
    lastRetried = stats.retried();
    long failed = load.failed() - lastFailed;
    lastFailed = load.failed();
    // A second in which nothing completed has no latency of its own: carry the last one forward.
    boolean none = lat.getTotalCount() == 0;
    double p50 = none ? lastP50 : TaskLatencies.micros(lat, 50) / 1000.0;
    double p99 = none ? lastP99 : TaskLatencies.micros(lat, 99) / 1000.0;
    lastP50 = p50;
    lastP99 = p99;
    maxP99Micros = Math.max(maxP99Micros, TaskLatencies.micros(lat, 99));
    maxNodes = Math.max(maxNodes, nodes);
    report.point(t, load.offered(), throughput, nodes, p50, p99, retried, failed);
    lastLine =
        String.format(
            Locale.ROOT,
            "%5.1fs  nodes %2d  offered %,6.0f/s  throughput %,6d/s  p99 %7.2f ms  retried %,d  failed %,d  | %s",
            t,
            nodes,
            load.offered(),
            throughput,
            p99,
            stats.retried(),
            load.failed(),
            lastDecision == null ? "no decision yet" : lastDecision.reason());
  }

  String lastLine() {
    return lastLine;
  }

  void event(double t, String kind, String label) {
    report.event(t, kind, label);
  }

  void decision(DecisionRecord d, Instant start) {
    double t = Math.max(0, Duration.between(start, d.at()).toMillis() / 1000.0);
    report.event(
        t,
        d.desired() > d.current() ? RunTimeline.Event.SCALE_UP : RunTimeline.Event.SCALE_DOWN,
        d.current() + " -> " + d.desired() + ": " + d.reason());
  }

  /** Prints the summary, writes the report, and returns the exit code. */
  int finish(LoadGenerator load, TideflowClient client, Path dir, PrintStream out)
      throws IOException {
    long lost = load.sent() - load.succeeded() - load.failed();
    TideflowClient.Stats stats = client.stats();
    report
        .summary("tasks sent", String.format(Locale.ROOT, "%,d", load.sent()))
        .summary("completed", String.format(Locale.ROOT, "%,d", load.succeeded()))
        .summary("failed", String.format(Locale.ROOT, "%,d", load.failed()))
        .summary("lost (no answer)", String.format(Locale.ROOT, "%,d", lost))
        .summary("retried", String.format(Locale.ROOT, "%,d", stats.retried()))
        .summary("most nodes", Integer.toString(maxNodes))
        .summary(
            "worst per-second p99", String.format(Locale.ROOT, "%.2f ms", maxP99Micros / 1000.0));
    List<Path> written = ReportWriter.write(report.build(), dir);
    out.printf(
        "%nsent %,d  completed %,d  failed %,d  lost %,d  retried %,d  most nodes %d%n",
        load.sent(), load.succeeded(), load.failed(), lost, stats.retried(), maxNodes);
    if (load.firstFailure() != null) {
      out.println("first failure: " + load.firstFailure());
    }
    out.println("report: " + written);
    boolean ok = lost == 0 && load.failed() == 0;
    out.println(
        ok
            ? "OK: no task was lost and no request failed while scaling"
            : "FAILED: tasks were lost or failed");
    return ok ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
