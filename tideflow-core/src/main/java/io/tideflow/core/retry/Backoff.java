package io.tideflow.core.retry;

import java.time.Duration;

/**
 * How long to wait before trying again after a run of failures: {@code initial} after the first,
 * multiplied by {@code multiplier} after each further one, never more than {@code max}. One value
 * for every retry loop of the runtime — a client reconnecting to a worker, a pool terminating a
 * node, a multi-provider going back to a provider that failed — so they are configured and reasoned
 * about alike. Pure: the caller counts failures and keeps the time.
 *
 * <p>A {@code multiplier} of 1 gives a fixed delay. No jitter is added here; a caller whose retries
 * may synchronise across many processes adds it with its own random source.
 *
 * @param initial the delay after the first failure, {@code > 0}
 * @param max the longest delay, {@code >= initial}
 * @param multiplier growth per further failure, {@code >= 1}
 */
public record Backoff(Duration initial, Duration max, double multiplier) {
  public Backoff {
    if (initial == null || initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial must be > 0, was " + initial);
    }
    if (max == null || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max must be >= initial (" + initial + "), was " + max);
    }
    if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException(
          "multiplier must be a finite number >= 1, was " + multiplier);
    }
  }

  /** The same delay after every failure. */
  public static Backoff fixed(Duration delay) {
    return new Backoff(delay, delay, 1.0);
  }

  /** {@code initial}, doubling after each further failure, up to {@code max}. */
  public static Backoff exponential(Duration initial, Duration max) {
    return new Backoff(initial, max, 2.0);
  }

  /**
   * The delay after {@code failures} consecutive failures.
   *
   * @param failures how many times it failed in a row, {@code >= 1}
   */
  public Duration delay(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be >= 1, was " + failures);
    }
    double nanos = initial.toNanos() * Math.pow(multiplier, failures - 1);
    long maxNanos = max.toNanos();
    return nanos >= maxNanos ? max : Duration.ofNanos((long) nanos);
  }
}
