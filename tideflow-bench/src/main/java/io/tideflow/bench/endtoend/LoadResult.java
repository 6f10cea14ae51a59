package io.tideflow.bench.endtoend;

import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * What one measured phase of a {@link LoadRunner} run saw.
 *
 * <p>Counts cover the tasks sent during the measured phase only (warm-up tasks are not in them):
 * {@code submitted = completed + failed + unfinished}, where {@code unfinished} is non-zero only
 * when the drain timed out. {@code latencies} holds one value per completed task, in nanoseconds:
 * from the send in a closed loop, from the <em>intended</em> send time in an open loop. The
 * histogram is owned by this result; do not change it.
 *
 * @param label what ran, e.g. {@code hazelcast closed 2/3}
 * @param mode closed loop (fixed window) or open loop (fixed rate)
 * @param window the most tasks in flight at once
 * @param targetRate the intended rate in tasks/s in an open loop; 0 in a closed loop
 * @param submitted tasks handed to the backend
 * @param completed tasks whose future completed normally
 * @param failed tasks whose future completed exceptionally or whose submission threw
 * @param missed open loop only: tasks due in the schedule that were never sent because the run hit
 *     its hard deadline (the backend fell behind); 0 when the schedule was kept
 * @param elapsedNanos from the start of the measured phase until its last task completed
 * @param latencies completion latencies of the completed tasks, in nanoseconds
 * @param sendLag open loop only: how late each task left against its intended send time, in
 *     nanoseconds (the load generator's own delay, already inside {@code latencies}); empty in a
 *     closed loop
 * @param firstError the first failure seen, as text, or an empty string
 */
public record LoadResult(
    String label,
    Mode mode,
    int window,
    double targetRate,
    long submitted,
    long completed,
    long failed,
    long missed,
    long elapsedNanos,
    Histogram latencies,
    Histogram sendLag,
    String firstError) {

  /** How the load was offered. */
  public enum Mode {
    /** A fixed number of tasks in flight; a new one is sent when one completes. */
    CLOSED,
    /** Tasks sent on a fixed schedule, whether or not earlier ones completed. */
    OPEN
  }

  /** Checks that the counts are consistent and nothing is missing. */
  public LoadResult {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(latencies, "latencies");
    Objects.requireNonNull(sendLag, "sendLag");
    Objects.requireNonNull(firstError, "firstError");
    if (completed + failed > submitted) {
      throw new IllegalArgumentException(
          "completed + failed must be <= submitted, was "
              + completed
              + " + "
              + failed
              + " > "
              + submitted);
    }
    if (elapsedNanos <= 0) {
      throw new IllegalArgumentException("elapsedNanos must be > 0, was " + elapsedNanos);
    }
  }

  /** Tasks still outstanding when the run stopped waiting for them. */
  public long unfinished() {
    return submitted - completed - failed;
  }

  /** Completed tasks per second over the measured phase. */
  public double throughput() {
    return completed * 1e9 / elapsedNanos;
  }

  /** The latency at that percentile (0–100) in nanoseconds, or 0 when nothing completed. */
  public long latencyNanos(double percentile) {
    return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile);
  }

  /** One line for logs: rate, percentiles and any trouble. */
  public String summary() {
    StringBuilder line = new StringBuilder();
    line.append(
        String.format(
            "%s: %,.0f tasks/s, p50 %s, p99 %s, p99.9 %s, max %s",
            label,
            throughput(),
            LatencyFormat.format(latencyNanos(50)),
            LatencyFormat.format(latencyNanos(99)),
            LatencyFormat.format(latencyNanos(99.9)),
            LatencyFormat.format(latencies.getMaxValue())));
    line.append(String.format(" (%,d sent", submitted));
    if (mode == Mode.OPEN) {
      line.append(
          String.format(
              " at %,.0f/s, send lag p99 %s",
              targetRate,
              LatencyFormat.format(
                  sendLag.getTotalCount() == 0 ? 0 : sendLag.getValueAtPercentile(99))));
    }
    if (failed > 0 || unfinished() > 0 || missed > 0) {
      line.append(
          String.format(", %,d failed, %,d unfinished, %,d missed", failed, unfinished(), missed));
    }
    line.append(')');
    if (!firstError.isEmpty()) {
      line.append("; first error: ").append(firstError);
    }
    return line.toString();
  }
}
