package io.tideflow.cli;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Task latencies of a demo run in microseconds, recorded from any thread (the client's completion
 * callbacks) without locks, kept to 3 significant digits by HdrHistogram. The histograms resize
 * themselves, so a task stuck for minutes is recorded as it was, not clipped.
 */
final class TaskLatencies {
  private static final int SIGNIFICANT_DIGITS = 3;

  private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);

  /** Records one task's latency; {@code nanos} is a difference of {@code System.nanoTime()}. */
  void record(long nanos) {
    recorder.recordValue(TimeUnit.NANOSECONDS.toMicros(Math.max(0, nanos)));
  }

  /** What was recorded since the previous call (or since this was made). */
  Histogram sinceLastCall() {
    return recorder.getIntervalHistogram();
  }

  /**
   * The latency in microseconds that {@code percentile} (0–100) of the recorded tasks did not
   * exceed, or 0 when nothing was recorded.
   */
  static long micros(Histogram latencies, double percentile) {
    return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile);
  }
}
