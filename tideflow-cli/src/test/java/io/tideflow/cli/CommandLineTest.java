package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.partition.Graph;
import io.tideflow.core.partition.MetisFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    return runExpanded(null, args);
  }

  /** As {@link #run}, through --config and the TIDEFLOW_* variables of {@code env} (or none). */
  static Run runExpanded(java.util.Map<String, String> env, String... args) {
    CommandLine cl = TideflowCommand.commandLine();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
    StringWriter usage = new StringWriter();
    cl.setOut(new PrintWriter(usage, true));
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    System.setOut(capture);
    try {
      int exit = env == null ? cl.execute(args) : TideflowCommand.execute(cl, args, env);
      cl.getOut().flush();
      cl.getErr().flush();
      return new Run(exit, usage + out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(original);
    }
  }

  @Test
  void theDemoRunsKillsAWorkerAndLosesNothing() {
    Run r = run("demo", "--tasks", "2000", "--work", "2000", "--metrics-port", "-1");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains(">>> killing worker-3")
        .contains("submitted 2,000  completed 2,000")
        .contains("lost 0")
        .contains("OK: no task was lost")
        .contains("leads (fencing token");
  }

  @Test
  void theDemoPrintsTheAddressOfItsLiveDashboardAmongItsFirstLines() {
    Run r = run("demo", "--tasks", "500", "--work", "500", "--kill-at", "0");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    List<String> lines = r.out().lines().limit(3).toList();
    assertThat(lines).anyMatch(l -> l.matches("dashboard: http://127\\.0\\.0\\.1:\\d+/ .*"));
    assertThat(r.out()).as("not a terminal: it does not linger").doesNotContain("stays up");
  }

  @Test
  void scaleTakesOneOfASizeAFactorOrClear() {
    Run both = run("scale", "web", "--store", "etcd://127.0.0.1:1", "--to", "3", "--factor", "2");
    assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("mutually exclusive");
    Run none = run("scale", "web", "--store", "etcd://127.0.0.1:1");
    assertThat(none.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.err()).contains("Missing required argument");
  }

  @Test
  void theAlertRulesPrintAsAPrometheusRulesFileAndABadFileIsRefused(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Run builtin = run("alerts");
    assertThat(builtin.exit()).isZero();
    assertThat(builtin.out())
        .startsWith("# Tideflow's alert rules")
        .contains("- alert: TideflowNodeLost")
        .contains("- alert: TideflowStoreUnreachable");
    Path mine =
        java.nio.file.Files.writeString(
            dir.resolve("mine.yaml"),
            "groups:\n  - name: mine\n    rules:\n      - alert: QueueLong\n"
                + "        expr: sum(tideflow_tasks_waiting) > 100\n        for: 1m\n");
    Run only = run("alerts", "--no-builtin-alerts", "--alert-rules", mine.toString());
    assertThat(only.exit()).isZero();
    assertThat(only.out()).contains("- alert: QueueLong").doesNotContain("TideflowNodeLost");
    Path bad =
        java.nio.file.Files.writeString(
            dir.resolve("bad.yaml"),
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x >\n");
    Run refused = run("alerts", "--alert-rules", bad.toString());
    assertThat(refused.exit()).isEqualTo(ExitCodes.USAGE);
    Run twice = run("alerts", "--alert-rules", mine.toString(), "--alert-rules", mine.toString());
    assertThat(twice.exit()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void theFlowDemoKillsAWorkerMidFlowAndLosesNoMessage(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Run r = run("demo", "--flow", "--messages", "20000", "--flow-report-dir", dir.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("flow clicks: source×1 -> parse×6 -> count×1")
        .contains(">>> killing worker-")
        .contains("delivered 20,000 of 20,000 distinct messages")
        .contains("lost 0")
        .contains("OK: no message was lost");
    assertThat(java.nio.file.Files.readString(dir.resolve("index.html")))
        .contains("worker killed")
        .contains("<polyline");
  }

  @Test
  void theAutoscalingDemoGrowsAndShrinksThePoolAndWritesItsReport(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Run r =
        run(
            "demo",
            "--autoscale",
            "--profile",
            "0:50,4:800,8:800,12:50,18:50",
            "--report-dir",
            dir.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains(">>> killed web-")
        .contains("failed 0  lost 0")
        .contains("OK: no task was lost and no request failed while scaling")
        .containsPattern("-> [2-9]"); // it grew
    assertThat(dir.resolve("report.html")).exists();
    assertThat(javax.imageio.ImageIO.read(dir.resolve("chart.png").toFile()).getWidth())
        .isEqualTo(1200);
    assertThat(Files.readString(dir.resolve("report.html"))).contains("scale-up", "node killed");
  }

  @Test
  void partitionCutsAMetisGraphFileAndWritesThePartitionAsGpmetisDoes(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path graph = dir.resolve("grid.graph");
    Graph.Builder grid = Graph.builder(400);
    for (int v = 0; v < 400; v++) {
      if (v % 20 < 19) {
        grid.edge(v, v + 1, 1);
      }
      if (v + 20 < 400) {
        grid.edge(v, v + 20, 1);
      }
    }
    Files.writeString(graph, MetisFormat.format(grid.build()));

    Run r = run("partition", graph.toString(), "--parts", "4");

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("400 vertices, 760 edges into 4 parts: edge cut ");
    List<String> parts = Files.readAllLines(dir.resolve("grid.graph.part.4"));
    assertThat(parts).hasSize(400).containsOnly("0", "1", "2", "3");

    Files.writeString(dir.resolve("bad.graph"), "2 1\n2\n3\n");
    Run bad = run("partition", dir.resolve("bad.graph").toString(), "--parts", "2");
    assertThat(bad.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(bad.err()).contains("bad.graph: line 3: neighbour 3 is not a vertex (1..2)");
  }

  @Test
  void aMalformedLoadProfileIsRejectedByName() {
    Run r = run("demo", "--autoscale", "--profile", "0:50,oops");
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).contains("load profile point 'oops' is not SECONDS:RATE");
  }

  @Test
  void badDemoArgumentsAreNamedInTheError() {
    Run r = run("demo", "--workers", "1");
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).contains("--workers must be >= 2 (one is killed), was 1");
  }

  @Test
  void anUnknownStoreUriIsRejectedWithWhatIsExpected() {
    Run r = run("status", "--store", "zookeeper://x:1");
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err())
        .contains(
            "unknown store URI 'zookeeper://x:1': expected memory:, etcd://HOST:PORT or etcds://HOST:PORT");
  }

  @Test
  void anUnreachableStoreIsNamedAndGetsItsOwnExitCode() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again before use: nothing listens there
    }
    Run r = run("status", "--store", "etcd://127.0.0.1:" + port);
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.STORE_UNAVAILABLE);
    assertThat(r.err()).contains("cannot reach etcd at").contains("127.0.0.1:" + port);
  }

  @Test
  void helpListsEveryCommand() {
    // Usage goes to picocli's own writer; System.out stays untouched here.
    CommandLine cl = TideflowCommand.commandLine();
    StringWriter usage = new StringWriter();
    cl.setOut(new PrintWriter(usage, true));
    assertThat(cl.execute("--help")).isZero();
    assertThat(usage.toString()).contains("demo", "worker", "coordinator", "submit", "status");
  }
}
