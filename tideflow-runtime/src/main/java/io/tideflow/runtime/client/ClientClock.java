package io.tideflow.runtime.client;

import java.time.Instant;
import java.time.InstantSource;

/**
 * {@link ClientConfig#clock()} read as nanoseconds since the epoch: deadlines, back-offs and the
 * balancer's feedback are compared as plain longs on the dispatch path, and a long of epoch nanos
 * lasts until the year 2262. Readings follow the clock, which need not be monotonic (the system
 * clock may be stepped): comparisons are written as differences ({@code now - deadline > 0}) and
 * elapsed times that come out negative are taken as zero. Stateless; any thread.
 */
final class ClientClock {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final InstantSource source;

  ClientClock(InstantSource source) {
    this.source = source;
  }

  long nanos() {
    Instant now = source.instant();
    return now.getEpochSecond() * NANOS_PER_SECOND + now.getNano();
  }

  long millis() {
    return source.millis();
  }

  /** Nanos from {@code startNanos} to {@code nowNanos}, never negative. */
  static long elapsed(long startNanos, long nowNanos) {
    return Math.max(0, nowNanos - startNanos);
  }
}
