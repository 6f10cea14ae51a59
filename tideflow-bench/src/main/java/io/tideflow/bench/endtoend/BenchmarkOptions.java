package io.tideflow.bench.endtoend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The end-to-end benchmark's command line, parsed and checked. Options take their value as the
 * next argument or after {@code =}: {@code --seconds 10} or {@code --seconds=10}.
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
    boolean help) {

  /** The usage text printed by {@code --help} and after a bad argument. */
  public static final String USAGE =
      """
      usage: EndToEndBenchmark [options]
        --backends a,b,...     backends to run, in order (default: %s; also known: %s)
        --seconds N            measured seconds per closed-loop round and for the open loop (default 10)
        --rounds N             closed-loop rounds per backend; the table shows the median (default 3)
        --window N             tasks in flight in the closed loop (default 4096)
        --warmup N             warm-up seconds before the first round; later rounds and the open
                               loop get 1 s to settle (default 10)
        --open-fraction F      open-loop rate as a fraction of the median peak (default 0.5)
        --p99-target-ms MS     open-loop p99 budget checked in the table (default 5)
        --max-tasks N          most tasks sent in one phase (default 1000000000)
        --out FILE             also write the table as Markdown to FILE
        --no-fork              run every backend in this JVM instead of one JVM each
        --help                 print this
      Run with -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 on small machines (see run-endtoend.sh).
      """;

  private static final Set<String> VALUE_OPTIONS =
      Set.of(
          "--backends", "--seconds", "--rounds", "--window", "--warmup", "--open-fraction",
          "--p99-target-ms", "--max-tasks", "--out", "--result-file");

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

  /** Parses the command line; unknown options and bad values throw with a specific message. */
  public static BenchmarkOptions parse(String... args) {
    List<String> backends = BackendRegistry.defaultNames();
    int seconds = 10;
    int rounds = 3;
    int window = 4096;
    int warmup = 10;
    double openFraction = 0.5;
    double p99Target = 5;
    long maxTasks = LoadRunner.DEFAULT_MAX_TASKS;
    Path out = null;
    boolean fork = true;
    Path resultFile = null;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      switch (name) {
        case "--help", "-h" -> help = true;
        case "--no-fork" -> fork = false;
        default -> {
          if (!VALUE_OPTIONS.contains(name)) {
            throw new IllegalArgumentException("unknown option '" + arg + "'");
          }
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException(name + " needs a value");
            }
            value = args[++i];
          }
          switch (name) {
            case "--backends" -> backends = splitNames(value);
            case "--seconds" -> seconds = parseInt(name, value);
            case "--rounds" -> rounds = parseInt(name, value);
            case "--window" -> window = parseInt(name, value);
            case "--warmup" -> warmup = parseInt(name, value);
            case "--open-fraction" -> openFraction = parseDouble(name, value);
            case "--p99-target-ms" -> p99Target = parseDouble(name, value);
            case "--max-tasks" -> maxTasks = parseLong(name, value);
            case "--out" -> out = Path.of(value);
            case "--result-file" -> resultFile = Path.of(value);
            default -> throw new IllegalStateException("option without a parser: " + name);
          }
        }
      }
    }
    return new BenchmarkOptions(
        backends, seconds, rounds, window, warmup, openFraction, p99Target, maxTasks, out, fork,
        resultFile, help);
  }

  /** The usage text with the registered backends filled in. */
  public static String usage() {
    List<String> others = new ArrayList<>(BackendRegistry.names());
    others.removeAll(BackendRegistry.defaultNames());
    return USAGE.formatted(
        String.join(",", BackendRegistry.defaultNames()), String.join(",", others));
  }

  /** The arguments for a forked JVM that measures one backend and writes its row to a file. */
  public List<String> childArgs(String backend, Path file) {
    return List.of(
        "--backends", backend,
        "--seconds", Integer.toString(seconds),
        "--rounds", Integer.toString(rounds),
        "--window", Integer.toString(window),
        "--warmup", Integer.toString(warmupSeconds),
        "--open-fraction", Double.toString(openFraction),
        "--p99-target-ms", Double.toString(p99TargetMillis),
        "--max-tasks", Long.toString(maxTasks),
        "--no-fork",
        "--result-file", file.toString());
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

  private static List<String> splitNames(String value) {
    List<String> names = new ArrayList<>();
    for (String name : value.split(",")) {
      if (!name.isBlank()) {
        names.add(name.strip());
      }
    }
    return names;
  }

  private static int parseInt(String name, String value) {
    long parsed = parseLong(name, value);
    if (parsed != (int) parsed) {
      throw new IllegalArgumentException(name + " is out of range, was " + value);
    }
    return (int) parsed;
  }

  private static long parseLong(String name, String value) {
    try {
      return Long.parseLong(value.strip().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a whole number, was '" + value + "'", e);
    }
  }

  private static double parseDouble(String name, String value) {
    try {
      return Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a number, was '" + value + "'", e);
    }
  }

  private static void requireAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
    }
  }
}
