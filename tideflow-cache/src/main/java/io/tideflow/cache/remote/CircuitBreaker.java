package io.tideflow.cache.remote;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps callers off a failing remote tier.
 *
 * <p>Closed: every call goes through; {@code failureThreshold} consecutive failures (errors or
 * timeouts) open it. Open: no call goes through until {@code openDuration} has passed, then one
 * caller is let through as a probe (half-open). The probe's success closes the breaker, its failure
 * opens it again for another {@code openDuration}; a probe that never reports is replaced by
 * another after {@code openDuration}.
 *
 * <p>Lock-free and safe for any thread; time comes from the injected {@link Ticker}.
 */
public final class CircuitBreaker {

  /** The breaker's states. */
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private record Snapshot(State state, int failures, long since) {}

  private final int failureThreshold;
  private final long openNanos;
  private final Ticker ticker;
  private final AtomicReference<Snapshot> snapshot;
  private volatile Runnable onClose = () -> {};

  public CircuitBreaker(int failureThreshold, Duration openDuration, Ticker ticker) {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failureThreshold must be >= 1, was " + failureThreshold);
    }
    if (openDuration.isNegative()) {
      throw new IllegalArgumentException("openDuration must be >= 0, was " + openDuration);
    }
    this.failureThreshold = failureThreshold;
    this.openNanos = openDuration.toNanos();
    this.ticker = ticker;
    this.snapshot = new AtomicReference<>(new Snapshot(State.CLOSED, 0, ticker.read()));
  }

  /** Runs {@code listener} (on the reporting thread) each time the breaker closes after opening. */
  public void onClose(Runnable listener) {
    this.onClose = listener;
  }

  /** Whether a call may go to the remote tier now; if it may, its outcome must be reported. */
  public boolean tryAcquire() {
    while (true) {
      Snapshot current = snapshot.get();
      if (current.state == State.CLOSED) {
        return true;
      }
      long now = ticker.read();
      if (now - current.since < openNanos) {
        return false;
      }
      // Open long enough, or a probe that never reported: this caller becomes the probe.
      if (snapshot.compareAndSet(current, new Snapshot(State.HALF_OPEN, current.failures, now))) {
        return true;
      }
    }
  }

  /** Reports a call that succeeded. */
  public void recordSuccess() {
    Snapshot current = snapshot.get();
    if (current.state == State.CLOSED && current.failures == 0) {
      return; // the common case: no write
    }
    Snapshot closed = new Snapshot(State.CLOSED, 0, ticker.read());
    if (snapshot.compareAndSet(current, closed) && current.state != State.CLOSED) {
      onClose.run();
    }
  }

  /** Reports a call that failed or timed out. */
  public void recordFailure() {
    while (true) {
      Snapshot current = snapshot.get();
      Snapshot next;
      if (current.state == State.CLOSED) {
        int failures = current.failures + 1;
        next =
            failures >= failureThreshold
                ? new Snapshot(State.OPEN, failures, ticker.read())
                : new Snapshot(State.CLOSED, failures, current.since);
      } else {
        next = new Snapshot(State.OPEN, current.failures + 1, ticker.read());
      }
      if (snapshot.compareAndSet(current, next)) {
        return;
      }
    }
  }

  /** The current state (for metrics and tests). */
  public State state() {
    return snapshot.get().state;
  }
}
