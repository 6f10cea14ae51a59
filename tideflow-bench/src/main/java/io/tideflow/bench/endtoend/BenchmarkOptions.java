package io.tideflow.bench.endtoend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The end-to-end benchmark's command line, parsed (by picocli) and checked. Options take their
 * value as the next argument or after {@code =}: {@code --seconds 10} or {@code --seconds=10}.
 *
 * @param backends registered backend names, in the order to run them
 * @param seconds measured duration of each closed-loop round and of the open loop
 * @param rounds closed-loop rounds per backend; the table shows their median
 * @param window tasks in flight in the closed loop (and the most in flight in the open loop)
 * @param warmupSeconds warm-up before the first round (the JIT's); later rounds and the open loop
 *     get {@link #settle()}
 * @param openFraction the open loop's rate as a fraction of the median peak
 * @param p99TargetMillis the open loop's p99 budget the table checks
 * @param maxTasks the most tasks sent in one phase
 * @param out the Markdown file to write, or null for none
 * @param fork whether each backend runs in a JVM of its own (the default)
 * @param resultFile internal: set in a forked JVM, which writes its backend's row there
 * @param help whether to print the usage and stop
 * @param chart where to write the scale-factor page (throughput and efficiency against the
 *     backends' node counts), or null
 */
public record BenchmarkOptions(
    List<String> backends,
    int seconds,
    int rounds,
    int window,
    int warmupSeconds,
    double openFraction,
    double p99TargetMillis,
    long maxTasks,
    Path out,
    boolean fork,
    Path resultFile,
    boolean help,
    Path chart) {

  /** Checks ranges; messages name the option and the bad value. */
  public BenchmarkOptions {
    backends = List.copyOf(backends);
    if (!help && backends.isEmpty()) {
      throw new IllegalArgumentException("--backends must name at least one backend");
    }
    requireAtLeast("--seconds", seconds, 1);
    requireAtLeast("--rounds", rounds, 1);
    requireAtLeast("--window", window, 1);
    requireAtLeast("--warmup", warmupSeconds, 0);
    if (!(openFraction > 0 && openFraction <= 1)) {
      throw new IllegalArgumentException("--open-fraction must be in (0, 1], was " + openFraction);
    }
    if (!(p99TargetMillis > 0)) {
      throw new IllegalArgumentException("--p99-target-ms must be > 0, was " + p99TargetMillis);
    }
    if (maxTasks < 1) {
      throw new IllegalArgumentException("--max-tasks must be >= 1, was " + maxTasks);
    }
  }

  /**
   * Parses the command line.
   *
   * @throws IllegalArgumentException for an unknown option, a missing or malformed value, or a
   *     value out of range, with a message that names the option and the value
   */
  public static BenchmarkOptions parse(String... args) {
    Arguments arguments = new Arguments();
    try {
      new CommandLine(arguments).parseArgs(args);
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return arguments.toOptions();
  }

  /** The usage text printed by {@code --help} and after a bad argument. */
  public static String usage() {
    return new CommandLine(new Arguments()).getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  /** The options as picocli sees them; {@link #toOptions} checks them. */
  @Command(
      name = "EndToEndBenchmark",
      sortOptions = false,
      usageHelpWidth = 100,
      description =
          "For each backend, the peak rate over closed-loop rounds (their median), then the"
              + " latency of an open loop at a fraction of that peak.",
      footer = {
        "Run with -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 on small machines"
            + " (see run-endtoend.sh)."
      })
  static final class Arguments {
    @Option(
        names = "--backends",
        paramLabel = "NAME[,NAME...]",
        completionCandidates = KnownBackends.class,
        description =
            "Backends to run, in order (default: ${DEFAULT-VALUE}; known: ${COMPLETION-CANDIDATES})")
    String backends = String.join(",", BackendRegistry.defaultNames());

    @Option(
        names = "--seconds",
        paramLabel = "N",
        description =
            "Measured seconds per closed-loop round and for the open loop (default: ${DEFAULT-VALUE})")
    int seconds = 10;

    @Option(
        names = "--rounds",
        paramLabel = "N",
        description =
            "Closed-loop rounds per backend; the table shows the median (default: ${DEFAULT-VALUE})")
    int rounds = 3;

    @Option(
        names = "--window",
        paramLabel = "N",
        description = "Tasks in flight in the closed loop (default: ${DEFAULT-VALUE})")
    int window = 4096;

    @Option(
        names = "--warmup",
        paramLabel = "N",
        description = {
          "Warm-up seconds before the first round; later rounds and the open loop get 1 s to"
              + " settle (default: ${DEFAULT-VALUE})"
        })
    int warmup = 10;

    @Option(
        names = "--open-fraction",
        paramLabel = "F",
        description = "Open-loop rate as a fraction of the median peak (default: ${DEFAULT-VALUE})")
    double openFraction = 0.5;

    @Option(
        names = "--p99-target-ms",
        paramLabel = "MS",
        description = "Open-loop p99 budget checked in the table (default: ${DEFAULT-VALUE})")
    double p99TargetMillis = 5;

    @Option(
        names = "--max-tasks",
        paramLabel = "N",
        description = "Most tasks sent in one phase (default: ${DEFAULT-VALUE})")
    long maxTasks = LoadRunner.DEFAULT_MAX_TASKS;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Also write the table as Markdown to FILE")
    Path out;

    @Option(
        names = "--chart",
        paramLabel = "FILE",
        description =
            "Also write throughput and efficiency against node count as an HTML page to FILE"
                + " (for a run of tideflow-1w,tideflow,tideflow-4w,tideflow-8w)")
    Path chart;

    @Option(
        names = "--no-fork",
        description = "Run every backend in this JVM instead of one JVM each")
    boolean noFork;

    /** Set by the parent in the command line of a forked JVM; not for people. */
    @Option(names = "--result-file", paramLabel = "FILE", hidden = true)
    Path resultFile;

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Print this and exit")
    boolean help;

    BenchmarkOptions toOptions() {
      List<String> names = new ArrayList<>();
      for (String name : backends.split(",")) {
        if (!name.isBlank()) {
          names.add(name.strip());
        }
      }
      return new BenchmarkOptions(
          names,
          seconds,
          rounds,
          window,
          warmup,
          openFraction,
          p99TargetMillis,
          maxTasks,
          out,
          !noFork,
          resultFile,
          help,
          chart);
    }
  }

  /** Every registered backend, for the usage text. */
  static final class KnownBackends implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return BackendRegistry.names().iterator();
    }
  }

  /** The arguments for a forked JVM that measures one backend and writes its row to a file. */
  public List<String> childArgs(String backend, Path file) {
    return List.of(
        "--backends",
        backend,
        "--seconds",
        Integer.toString(seconds),
        "--rounds",
        Integer.toString(rounds),
        "--window",
        Integer.toString(window),
        "--warmup",
        Integer.toString(warmupSeconds),
        "--open-fraction",
        Double.toString(openFraction),
        "--p99-target-ms",
        Double.toString(p99TargetMillis),
        "--max-tasks",
        Long.toString(maxTasks),
        "--no-fork",
        "--result-file",
        file.toString());
  }

  /** Measured time per round and for the open loop. */
  public Duration measure() {
    return Duration.ofSeconds(seconds);
  }

  /** Warm-up before the first round, while the JIT compiles the backend's paths. */
  public Duration warmup() {
    return Duration.ofSeconds(warmupSeconds);
  }

  /**
   * Warm-up before later rounds and the open loop: a second (or the whole warm-up, if shorter),
   * enough to refill the pipeline after the previous phase drained it.
   */
  public Duration settle() {
    return Duration.ofSeconds(Math.min(1, warmupSeconds));
  }

  /**
   * How long one backend may take in all, drains and start-up included, before a forked JVM is
   * stopped: the planned time plus a drain timeout per phase plus two minutes to start and stop.
   */
  public Duration backendTimeout() {
    long phases = rounds + 1L;
    return Duration.ofSeconds(phases * (seconds + 1L) + warmupSeconds)
        .plus(LoadRunner.DEFAULT_DRAIN_TIMEOUT.multipliedBy(phases))
        .plusMinutes(2);
  }

  private static void requireAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
    }
  }
}
