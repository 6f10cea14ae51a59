package io.tideflow.bench.endtoend;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end task benchmark: for each backend, the peak rate over a few closed-loop rounds
 * (their median), then the latency of an open loop at a fraction of that peak; printed as a table
 * and optionally written as Markdown.
 *
 * <pre>
 * tideflow-bench/run-endtoend.sh --backends hazelcast,direct --seconds 10 --rounds 3 \
 *     --window 4096 --out docs/benchmarks-endtoend.md
 * </pre>
 *
 * <p>By default each backend runs in a JVM of its own, started with this JVM's flags and class
 * path, as JMH forks: one backend's threads, garbage and JIT profile do not colour the next one's
 * figures.
 *
 * <p>Hazelcast runs its async callbacks on {@code ForkJoinPool.commonPool()}, whose parallelism
 * must be set before the pool first initialises, hence a JVM flag: {@value #COMMON_POOL_FLAG}.
 * {@code run-endtoend.sh} passes it; {@code main} warns when it is missing.
 */
public final class EndToEndBenchmark {

  /** The flag every benchmark JVM needs on a 2-core machine. */
  public static final String COMMON_POOL_FLAG =
      "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2";

  private static final String COMMON_POOL_PROPERTY =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  private EndToEndBenchmark() {}

  /** Runs the benchmark; exit status 2 for a bad command line, 1 when a backend failed. */
  public static void main(String[] args) throws IOException, InterruptedException {
    BenchmarkOptions options;
    List<BackendRegistry.Entry> entries = new ArrayList<>();
    try {
      options = BenchmarkOptions.parse(args);
      for (String name : options.backends()) {
        entries.add(BackendRegistry.lookup(name));
      }
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.print(BenchmarkOptions.usage());
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.print(BenchmarkOptions.usage());
      return;
    }
    warnAboutCommonPool();
    PrintStream out = System.out;
    if (options.resultFile() != null) {
      BackendSummary row = measureHere(entries.get(0), options, out);
      writeRow(row, options.resultFile());
      System.exit(row.measured() ? 0 : 1);
      return;
    }
    List<BackendSummary> rows = new ArrayList<>();
    for (BackendRegistry.Entry entry : entries) {
      rows.add(options.fork() ? measureForked(entry, options) : measureHere(entry, options, out));
    }
    EndToEndReport report = new EndToEndReport(options, rows, environment(args));
    out.println();
    out.print(report.consoleTable());
    if (options.out() != null) {
      Path file = options.out().toAbsolutePath();
      Files.createDirectories(file.getParent());
      Files.writeString(file, report.markdown(), StandardCharsets.UTF_8);
      out.println("wrote " + file);
    }
    if (options.chart() != null) {
      Path file = options.chart().toAbsolutePath();
      Files.createDirectories(file.getParent());
      ScaleReport scale = ScaleReport.of(rows, Runtime.getRuntime().availableProcessors());
      out.println();
      out.print(scale.markdown());
      Files.writeString(file, scale.html(), StandardCharsets.UTF_8);
      out.println("wrote " + file);
    }
    if (rows.stream().anyMatch(row -> !row.measured())) {
      System.exit(1);
    }
  }

  /** Starts the backend in this JVM, runs the closed-loop rounds and the open loop, stops it. */
  static BackendSummary measureHere(
      BackendRegistry.Entry entry, BenchmarkOptions options, PrintStream out)
      throws InterruptedException {
    long startedAt = System.nanoTime();
    try (TaskBackend backend = entry.factory().get()) {
      out.printf(
          Locale.ROOT,
          "%s: started in %d ms; %s%n",
          entry.name(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt),
          entry.description());
      MachineLoad load = MachineLoad.start();
      LoadRunner runner =
          new LoadRunner(backend, out, LoadRunner.DEFAULT_DRAIN_TIMEOUT, options.maxTasks());
      List<LoadResult> rounds = new ArrayList<>();
      ProcessCpu cpu = ProcessCpu.start();
      for (int round = 1; round <= options.rounds(); round++) {
        String label = entry.name() + " closed " + round + "/" + options.rounds();
        // The JIT warms up once, before the first round; later phases only refill the pipeline.
        Duration warmup = round == 1 ? options.warmup() : options.settle();
        LoadResult result = runner.closedLoop(label, options.window(), warmup, options.measure());
        out.println(result.summary());
        rounds.add(result);
      }
      double processCores = cpu.cores();
      double peak = BackendSummary.medianRound(rounds).throughput();
      double rate = peak * options.openFraction();
      String label = String.format(Locale.ROOT, "%s open %,.0f/s", entry.name(), rate);
      LoadResult open =
          runner.openLoop(label, rate, options.window(), options.settle(), options.measure());
      out.println(open.summary());
      double otherCores = load.otherCores();
      out.printf(
          Locale.ROOT,
          "%s: other processes used %.2f cores on average meanwhile%n",
          entry.name(),
          otherCores);
      return BackendSummary.of(
          entry.name(), entry.description(), rounds, open, otherCores, processCores);
    } catch (RuntimeException e) {
      // Reported in the table and printed in full here; the other backends still run.
      e.printStackTrace(out);
      return BackendSummary.failed(entry.name(), entry.description(), e.toString());
    }
  }

  /** Runs one backend in a child JVM with this JVM's flags and class path. */
  private static BackendSummary measureForked(BackendRegistry.Entry entry, BenchmarkOptions options)
      throws IOException, InterruptedException {
    Path resultFile =
        Files.createTempFile("tideflow-endtoend-" + entry.name() + "-", ".properties");
    try {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      List<String> flags = jvmFlags();
      command.addAll(flags);
      if (flags.stream().noneMatch(flag -> flag.startsWith("-D" + COMMON_POOL_PROPERTY + "="))) {
        command.add(COMMON_POOL_FLAG);
      }
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(EndToEndBenchmark.class.getName());
      command.addAll(options.childArgs(entry.name(), resultFile));
      Process child = new ProcessBuilder(command).inheritIO().start();
      long timeout = options.backendTimeout().toSeconds();
      if (!child.waitFor(timeout, TimeUnit.SECONDS)) {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
        return BackendSummary.failed(
            entry.name(),
            entry.description(),
            "its JVM did not finish within " + timeout + " s and was stopped");
      }
      if (Files.size(resultFile) == 0) {
        return BackendSummary.failed(
            entry.name(),
            entry.description(),
            "its JVM exited with status " + child.exitValue() + " and no result");
      }
      Properties row = new Properties();
      try (InputStream in = Files.newInputStream(resultFile)) {
        row.load(in);
      }
      return BackendSummary.fromProperties(row);
    } finally {
      Files.deleteIfExists(resultFile);
    }
  }

  private static void writeRow(BackendSummary row, Path file) throws IOException {
    try (OutputStream stream = Files.newOutputStream(file)) {
      row.toProperties().store(stream, "end-to-end benchmark row");
    }
  }

  /** This JVM's flags minus a debugger agent, which a child could not share a port with. */
  private static List<String> jvmFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(flag -> !flag.startsWith("-agentlib:jdwp"))
        .toList();
  }

  private static void warnAboutCommonPool() {
    if (System.getProperty(COMMON_POOL_PROPERTY) == null) {
      System.err.println(
          "warning: "
              + COMMON_POOL_FLAG
              + " is not set."
              + " Hazelcast's figures on a 2-core machine depend on it; use run-endtoend.sh"
              + " or pass the flag to java.");
    }
    String warning = HazelcastBackend.commonPoolWarning();
    if (warning != null) {
      System.err.println("warning: " + warning);
    }
  }

  private static EndToEndReport.Environment environment(String[] args) {
    String command = System.getProperty("tideflow.bench.command");
    if (command == null || command.isBlank()) {
      command = "java ... " + EndToEndBenchmark.class.getName() + " " + String.join(" ", args);
    }
    return new EndToEndReport.Environment(
        Runtime.getRuntime().availableProcessors(),
        cpuModel(),
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"),
        System.getProperty("java.vm.vendor")
            + " "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version"),
        jvmFlags().stream().filter(flag -> !flag.startsWith("-Dtideflow.bench.command=")).toList(),
        java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(),
        command,
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
  }

  /** The CPU model from /proc/cpuinfo, or "unknown CPU" where there is none (not Linux). */
  private static String cpuModel() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return "unknown CPU";
    }
    try (var lines = Files.lines(cpuinfo)) {
      return lines
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException e) {
      // Only decoration for the report; say why it is missing instead of failing the run.
      return "unknown CPU (" + e.getMessage() + ")";
    }
  }
}
