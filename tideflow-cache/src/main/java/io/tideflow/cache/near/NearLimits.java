package io.tideflow.cache.near;

import java.time.Duration;

/** Argument checks shared by the near tiers. */
final class NearLimits {
  private NearLimits() {}

  static long requirePositive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return value;
  }

  static long positiveNanos(String name, Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + duration);
    }
    return saturatedNanos(duration);
  }

  /**
   * At most ~146 years: deadlines are compared as {@code deadline - now > 0}, which stays right
   * across {@link System#nanoTime()} wrap-around only while intervals are under 2^62.
   */
  private static long saturatedNanos(Duration duration) {
    long forever = Long.MAX_VALUE >> 1;
    return duration.compareTo(Duration.ofNanos(forever)) >= 0 ? forever : duration.toNanos();
  }
}
