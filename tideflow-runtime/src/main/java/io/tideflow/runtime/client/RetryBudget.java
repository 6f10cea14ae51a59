package io.tideflow.runtime.client;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Retries allowed as a share of submissions: each submitted task deposits {@code ratio} of a retry,
 * each retry withdraws a whole one, and the balance never exceeds {@code burst}. So over any
 * stretch, retries are at most {@code ratio} × submissions + {@code burst}. Envoy's retry budget
 * bounds the retries in flight as a share of the requests in flight; counting them against
 * submissions instead (as Finagle's {@code RetryBudget} does) bounds the extra load itself, which
 * is what an overloaded worker feels. Lock-free; any thread.
 */
final class RetryBudget {
  /** Balance in thousandths of a retry, so deposits of a fraction add up exactly. */
  private static final long SCALE = 1000;

  private final long deposit;
  private final long cap;
  private final AtomicLong balance;

  RetryBudget(double ratio, int burst) {
    this.deposit = Math.round(ratio * SCALE);
    this.cap = burst * SCALE;
    this.balance = new AtomicLong(cap);
  }

  /** A task was submitted. */
  void deposit() {
    if (deposit == 0) {
      return;
    }
    long b;
    do {
      b = balance.get();
      if (b >= cap) {
        return;
      }
    } while (!balance.compareAndSet(b, Math.min(cap, b + deposit)));
  }

  /** Takes one retry; false when the budget has none. */
  boolean tryWithdraw() {
    long b;
    do {
      b = balance.get();
      if (b < SCALE) {
        return false;
      }
    } while (!balance.compareAndSet(b, b - SCALE));
    return true;
  }

  /** Whole retries available now. */
  long available() {
    return balance.get() / SCALE;
  }
}
