package io.tideflow.runtime.client;

import io.tideflow.core.retry.Backoff;
import java.time.Duration;

/**
 * What the client does with a task a worker turned back unrun ({@code OVERLOADED}, {@code
 * NO_CREDIT}, {@code REJECTED_DRAINING}). Such a task costs no attempt and is placed again — on
 * another node if one fits, else on the same one — but never for ever: it fails with {@code
 * OVERLOADED} once it has been turned back {@code maxTurnBacks} times, and a task turned back for
 * overload is placed again only while the client's retry budget allows it (see {@link
 * RetryBudget}), so retries add at most about {@code budgetRatio} to the offered load however
 * overloaded the cluster is. A task turned back because its node is draining is not charged to the
 * budget: a drain turns back at most one stream's worth of tasks, once, and those must not fail.
 *
 * @param backoff delay before a task turned back for overload is placed again, by how many times it
 *     was turned back; the client adds up to 50 % jitter so tasks turned back together spread out
 * @param maxTurnBacks times one task may be turned back before it fails, {@code >= 1}
 * @param budgetRatio retries allowed per submitted task, in {@code [0, 1]} (0.2: at most 20 %
 *     extra)
 * @param budgetBurst retries the budget holds at most (and at start), {@code >= 0}: how many may go
 *     at once after a quiet spell
 */
public record TurnBackPolicy(
    Backoff backoff, int maxTurnBacks, double budgetRatio, int budgetBurst) {

  public TurnBackPolicy {
    if (backoff == null) {
      throw new IllegalArgumentException("backoff must not be null");
    }
    if (maxTurnBacks < 1) {
      throw new IllegalArgumentException("maxTurnBacks must be >= 1, was " + maxTurnBacks);
    }
    if (!(budgetRatio >= 0 && budgetRatio <= 1)) {
      throw new IllegalArgumentException("budgetRatio must be in [0, 1], was " + budgetRatio);
    }
    if (budgetBurst < 0) {
      throw new IllegalArgumentException("budgetBurst must be >= 0, was " + budgetBurst);
    }
  }

  /**
   * 20 ms, doubling to 1 s; ten turn-backs; 20 % extra load (Envoy's default retry budget) with a
   * burst of 100. Ten doublings from 20 ms already wait about 5 s in all: a task that is still
   * turned back after that meets a cluster that is not catching up, and its caller should know.
   */
  public static TurnBackPolicy defaults() {
    return new TurnBackPolicy(
        Backoff.exponential(Duration.ofMillis(20), Duration.ofSeconds(1)), 10, 0.2, 100);
  }
}
