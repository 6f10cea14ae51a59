package io.tideflow.store.clock;

import java.time.Instant;
import java.time.InstantSource;

/**
 * The default clock of every Tideflow process: wall-clock time read once at start-up, advanced by
 * {@link System#nanoTime()} from then on. It never jumps, so a step of the system clock (an NTP
 * correction, an operator setting the date) cannot expire a lease, time out a task or end a
 * back-off early; its instants stay close enough to wall time for the timestamps people read
 * ("reported 3 s ago"). Decisions that compare times taken in different processes must not rely on
 * it more than on wall clocks, which is to say, only within a tolerance.
 *
 * <p>It lives in the store module because that is the lowest module that may read a clock (the core
 * may not) and both the etcd store and the runtime need it. Thread-safe.
 */
public final class MonotonicClock implements InstantSource {
  private static final MonotonicClock SYSTEM = new MonotonicClock();

  private final long baseEpochNanos;
  private final long baseNanoTime;

  private MonotonicClock() {
    Instant wall = Instant.now();
    this.baseNanoTime = System.nanoTime();
    this.baseEpochNanos = wall.getEpochSecond() * 1_000_000_000L + wall.getNano();
  }

  /** The process's clock. */
  public static InstantSource system() {
    return SYSTEM;
  }

  @Override
  public Instant instant() {
    long epochNanos = baseEpochNanos + (System.nanoTime() - baseNanoTime);
    return Instant.ofEpochSecond(
        Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
  }

  @Override
  public long millis() {
    return Math.floorDiv(baseEpochNanos + (System.nanoTime() - baseNanoTime), 1_000_000L);
  }

  @Override
  public String toString() {
    return "MonotonicClock";
  }
}
