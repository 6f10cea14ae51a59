package io.tideflow.bench.endtoend;

import java.util.Locale;

/**
 * Formats latencies in nanoseconds for people: {@code 850 ns}, {@code 41.2 µs}, {@code 3.07 ms}.
 */
final class LatencyFormat {

  private LatencyFormat() {}

  static String format(long nanos) {
    if (nanos < 1_000) {
      return nanos + " ns";
    }
    if (nanos < 1_000_000) {
      return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
    }
    if (nanos < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }
}
