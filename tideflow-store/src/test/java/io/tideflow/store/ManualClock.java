package io.tideflow.store;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * A clock that tests move by hand: every timeout, lease and back-off that takes an {@link
 * InstantSource} can be driven through it exactly, without real waiting. Thread-safe.
 */
public final class ManualClock implements InstantSource {
  private volatile Instant now;

  /** Starts at 2026-01-01T00:00:00Z. */
  public ManualClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public ManualClock(Instant start) {
    this.now = start;
  }

  @Override
  public Instant instant() {
    return now;
  }

  /** Moves the clock forward by {@code by} (which must not be negative). */
  public synchronized void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("by must be >= 0, was " + by);
    }
    now = now.plus(by);
  }
}
