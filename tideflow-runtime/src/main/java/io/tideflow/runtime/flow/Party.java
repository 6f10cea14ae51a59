package io.tideflow.runtime.flow;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One end of a channel that may park while it waits for the other: an instance, or the node's pump
 * that carries channels to and from other nodes. The other end calls {@link #wake} after it changed
 * the channel; waking an end that is not parked costs one volatile read.
 *
 * <p>A wait spins briefly, yields, then parks with a timeout that grows from {@value
 * #MIN_PARK_NANOS} ns to {@value #MAX_PARK_NANOS} ns. The timeout only bounds a wake-up lost to the
 * race between checking and parking: there is no fence on the fast path, which would cost every
 * message more than a rare late wake-up costs.
 */
abstract class Party {
  static final long MIN_PARK_NANOS = 20_000;
  static final long MAX_PARK_NANOS = 1_000_000;
  private static final int SPINS = 64;
  private static final int YIELDS = 4;

  /** How long closing a pump waits for its thread to end. */
  static final java.time.Duration CLOSE_WAIT = java.time.Duration.ofSeconds(5);

  volatile Thread thread;
  volatile boolean parked;

  /** Whether this end's thread is still running. */
  final boolean running() {
    Thread t = thread;
    return t != null && t.isAlive();
  }

  final void wake() {
    if (parked) {
      // One unpark per wait: what else is sent before the woken end runs finds it awake already,
      // instead of setting its park permit again (an atomic write to a line the other end owns).
      parked = false;
      LockSupport.unpark(thread);
    }
  }

  /** Whether this end should stop waiting because its work is ending. */
  abstract boolean stopping();

  /**
   * The {@code i}th step of a wait: spin, then yield, then park for {@code park} ns if {@code
   * blocked} still holds once this end shows it is parked. Returns the next park time.
   */
  final long pause(int i, long park, BooleanSupplier blocked) {
    if (i < SPINS) {
      Thread.onSpinWait();
      return park;
    }
    if (i < SPINS + YIELDS) {
      Thread.yield();
      return park;
    }
    parked = true;
    if (blocked.getAsBoolean() && !stopping()) {
      LockSupport.parkNanos(this, park);
    }
    parked = false;
    return Math.min(park * 2, MAX_PARK_NANOS);
  }
}
