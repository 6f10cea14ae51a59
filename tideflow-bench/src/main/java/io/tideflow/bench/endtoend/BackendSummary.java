package io.tideflow.bench.endtoend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

/**
 * One backend's row of the report: its closed-loop rounds and its open-loop run, reduced to the
 * figures the table shows. It travels from a forked benchmark JVM to the parent as a properties
 * file ({@link #toProperties()}, {@link #fromProperties(Properties)}).
 *
 * @param backend the backend's registered name
 * @param description its setup in one line
 * @param roundThroughputs tasks/s of each closed-loop round, in the order run
 * @param peakP50Nanos p50 latency of the median round
 * @param peakP99Nanos p99 latency of the median round
 * @param peakP999Nanos p99.9 latency of the median round
 * @param openTargetRate the open loop's intended rate, tasks/s
 * @param openAchievedRate the open loop's completed tasks/s
 * @param openP50Nanos p50 latency of the open loop, from intended send time
 * @param openP99Nanos p99 latency of the open loop, from intended send time
 * @param openP999Nanos p99.9 latency of the open loop, from intended send time
 * @param openSendLagP99Nanos p99 of how late the open loop's sends left against the schedule
 * @param troubles failed + unfinished + missed tasks over every measured phase; 0 in a clean run
 * @param otherCores cores' worth of CPU other processes used meanwhile, on average; NaN if unknown
 * @param processCores cores' worth of CPU the benchmark's own JVM (client and, when embedded, the
 *     backend's nodes) used over the closed-loop rounds; NaN if unknown
 * @param problem why the backend could not be measured, or an empty string
 */
public record BackendSummary(
    String backend,
    String description,
    List<Double> roundThroughputs,
    long peakP50Nanos,
    long peakP99Nanos,
    long peakP999Nanos,
    double openTargetRate,
    double openAchievedRate,
    long openP50Nanos,
    long openP99Nanos,
    long openP999Nanos,
    long openSendLagP99Nanos,
    long troubles,
    double otherCores,
    double processCores,
    String problem) {

  /** Copies the rounds and checks that nothing is missing. */
  public BackendSummary {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(problem, "problem");
    roundThroughputs = List.copyOf(roundThroughputs);
  }

  /** Reduces measured runs: the median round by throughput gives the peak latencies. */
  public static BackendSummary of(
      String backend,
      String description,
      List<LoadResult> rounds,
      LoadResult open,
      double otherCores,
      double processCores) {
    if (rounds.isEmpty()) {
      throw new IllegalArgumentException("rounds must not be empty for backend " + backend);
    }
    LoadResult median = medianRound(rounds);
    long troubles = open.failed() + open.unfinished() + open.missed();
    List<Double> throughputs = new ArrayList<>(rounds.size());
    for (LoadResult round : rounds) {
      throughputs.add(round.throughput());
      troubles += round.failed() + round.unfinished();
    }
    return new BackendSummary(
        backend,
        description,
        throughputs,
        median.latencyNanos(50),
        median.latencyNanos(99),
        median.latencyNanos(99.9),
        open.targetRate(),
        open.throughput(),
        open.latencyNanos(50),
        open.latencyNanos(99),
        open.latencyNanos(99.9),
        open.sendLag().getTotalCount() == 0 ? 0 : open.sendLag().getValueAtPercentile(99),
        troubles,
        otherCores,
        processCores,
        "");
  }

  /** A row for a backend that could not be measured. */
  public static BackendSummary failed(String backend, String description, String problem) {
    return new BackendSummary(
        backend,
        description,
        List.of(),
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        Double.NaN,
        Double.NaN,
        problem);
  }

  /**
   * The round whose throughput is the median; with an even number of rounds, the lower of the two
   * middle ones, so the figure is always one a round really reached.
   */
  static LoadResult medianRound(List<LoadResult> rounds) {
    List<LoadResult> sorted = new ArrayList<>(rounds);
    sorted.sort(Comparator.comparingDouble(LoadResult::throughput));
    return sorted.get((sorted.size() - 1) / 2);
  }

  /** Median of the round throughputs (lower middle for an even count), or 0 with no rounds. */
  public double medianThroughput() {
    if (roundThroughputs.isEmpty()) {
      return 0;
    }
    double[] sorted = roundThroughputs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted[(sorted.length - 1) / 2];
  }

  /** Whether the backend was measured at all. */
  public boolean measured() {
    return problem.isEmpty();
  }

  /** For the forked JVM to hand its row to the parent. */
  public Properties toProperties() {
    Properties p = new Properties();
    p.setProperty("backend", backend);
    p.setProperty("description", description);
    StringBuilder rounds = new StringBuilder();
    for (double t : roundThroughputs) {
      rounds.append(rounds.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "%.1f", t));
    }
    p.setProperty("roundThroughputs", rounds.toString());
    p.setProperty("peakP50Nanos", Long.toString(peakP50Nanos));
    p.setProperty("peakP99Nanos", Long.toString(peakP99Nanos));
    p.setProperty("peakP999Nanos", Long.toString(peakP999Nanos));
    p.setProperty("openTargetRate", Double.toString(openTargetRate));
    p.setProperty("openAchievedRate", Double.toString(openAchievedRate));
    p.setProperty("openP50Nanos", Long.toString(openP50Nanos));
    p.setProperty("openP99Nanos", Long.toString(openP99Nanos));
    p.setProperty("openP999Nanos", Long.toString(openP999Nanos));
    p.setProperty("openSendLagP99Nanos", Long.toString(openSendLagP99Nanos));
    p.setProperty("troubles", Long.toString(troubles));
    p.setProperty("otherCores", Double.toString(otherCores));
    p.setProperty("processCores", Double.toString(processCores));
    p.setProperty("problem", problem);
    return p;
  }

  /**
   * Reads what {@link #toProperties()} wrote.
   *
   * @throws IllegalArgumentException naming the key, when one is missing or malformed
   */
  public static BackendSummary fromProperties(Properties p) {
    String rounds = required(p, "roundThroughputs");
    List<Double> throughputs =
        rounds.isEmpty()
            ? List.of()
            : Arrays.stream(rounds.split(",")).map(Double::valueOf).toList();
    try {
      return new BackendSummary(
          required(p, "backend"),
          required(p, "description"),
          throughputs,
          Long.parseLong(required(p, "peakP50Nanos")),
          Long.parseLong(required(p, "peakP99Nanos")),
          Long.parseLong(required(p, "peakP999Nanos")),
          Double.parseDouble(required(p, "openTargetRate")),
          Double.parseDouble(required(p, "openAchievedRate")),
          Long.parseLong(required(p, "openP50Nanos")),
          Long.parseLong(required(p, "openP99Nanos")),
          Long.parseLong(required(p, "openP999Nanos")),
          Long.parseLong(required(p, "openSendLagP99Nanos")),
          Long.parseLong(required(p, "troubles")),
          Double.parseDouble(required(p, "otherCores")),
          Double.parseDouble(required(p, "processCores")),
          required(p, "problem"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "malformed number in backend result: " + e.getMessage(), e);
    }
  }

  private static String required(Properties p, String key) {
    String value = p.getProperty(key);
    if (value == null) {
      throw new IllegalArgumentException("backend result lacks '" + key + "'");
    }
    return value;
  }
}
