package io.tideflow.runtime.provider;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines on an injected clock: {@link #after} gives a future that completes once the clock has
 * passed a point in time. Real time decides only how often that is looked at (every {@code period}
 * on one daemon thread); whether a deadline has passed is the clock's to say, so a test's clock
 * drives a provider's launch timeouts and stop graces exactly.
 */
final class Deadlines implements AutoCloseable {
  private final InstantSource clock;
  private final ScheduledExecutorService checker;

  /** Deadlines not reached yet, by the future each completes; the checker removes done ones. */
  private final Map<CompletableFuture<Void>, Instant> pending = new ConcurrentHashMap<>();

  Deadlines(InstantSource clock, Duration period, String threadName) {
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be > 0, was " + period);
    }
    this.clock = clock;
    this.checker =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name(threadName).factory());
    long nanos = period.toNanos();
    checker.scheduleWithFixedDelay(this::check, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Completes, on the checking thread, once the clock is past now plus {@code delay} (exactly at
   * that point is not yet past); at once when {@code delay} is not positive. Cancel it when it is
   * no longer needed.
   */
  CompletableFuture<Void> after(Duration delay) {
    if (delay.isNegative() || delay.isZero()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> due = new CompletableFuture<>();
    pending.put(due, clock.instant().plus(delay));
    if (checker.isShutdown()) {
      // Closed (e.g. a terminate after the provider's close): nothing checks the clock any more,
      // so the bound falls back to real time rather than never firing.
      due.completeOnTimeout(null, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
    return due;
  }

  /** One round: completes what the clock has passed. Also called by tests after moving theirs. */
  void check() {
    Instant now = clock.instant();
    pending.forEach(
        (due, at) -> {
          if (due.isDone()) {
            pending.remove(due); // cancelled: what it bounded ended in time
          } else if (now.isAfter(at)) {
            pending.remove(due);
            due.complete(null);
          }
        });
  }

  /** Deadlines still waiting for the clock. */
  int pending() {
    return (int) pending.keySet().stream().filter(f -> !f.isDone()).count();
  }

  @Override
  public void close() {
    checker.shutdownNow();
    // What still waits keeps its bound, on real time from here: a stop grace must end in a kill.
    Instant now = clock.instant();
    pending.forEach(
        (due, at) ->
            due.completeOnTimeout(
                null, Math.max(0, Duration.between(now, at).toNanos()), TimeUnit.NANOSECONDS));
  }
}
