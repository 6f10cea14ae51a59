package io.tideflow.core.balance;

/**
 * When to stop using an endpoint that keeps failing, and for how long: after {@code
 * consecutiveFailures} failures in a row it is ejected for {@code baseEjectionNanos}, doubled for
 * each ejection since its last success and capped at {@code maxEjectionNanos}; once that time has
 * passed (by the caller's clock) it is tried again, and a success clears its record.
 *
 * @param consecutiveFailures failures in a row that eject, > 0
 * @param baseEjectionNanos first ejection's length, > 0
 * @param maxEjectionNanos the longest ejection, >= base
 */
public record OutlierEjection(
    int consecutiveFailures, long baseEjectionNanos, long maxEjectionNanos) {

  /** Envoy's defaults: 5 failures in a row, 30 s, at most 300 s. */
  public static final OutlierEjection DEFAULT =
      new OutlierEjection(5, 30_000_000_000L, 300_000_000_000L);

  public OutlierEjection {
    if (consecutiveFailures <= 0) {
      throw new IllegalArgumentException(
          "consecutiveFailures must be > 0, was " + consecutiveFailures);
    }
    if (baseEjectionNanos <= 0) {
      throw new IllegalArgumentException("baseEjectionNanos must be > 0, was " + baseEjectionNanos);
    }
    if (maxEjectionNanos < baseEjectionNanos) {
      throw new IllegalArgumentException(
          "maxEjectionNanos must be >= baseEjectionNanos ("
              + baseEjectionNanos
              + "), was "
              + maxEjectionNanos);
    }
  }

  /** How long the {@code n}th ejection in a row lasts (n >= 1). */
  long ejectionNanos(int n) {
    return backOff(baseEjectionNanos, maxEjectionNanos, n);
  }

  /** {@code base} doubled {@code n - 1} times, capped at {@code max}, without overflowing. */
  static long backOff(long base, long max, int n) {
    long length = base;
    for (int i = 1; i < n && length < max; i++) {
      length = length > max / 2 ? max : length * 2;
    }
    return Math.min(length, max);
  }
}
