package io.tideflow.core.autoscale;

/**
 * How many nodes a pool should have, and a sentence saying why, for the decision log and for users
 * who ask "why did it (not) scale?". A policy that has no opinion this time {@linkplain #abstain
 * abstains}: the {@link Autoscaler} then sizes the pool from the other policies.
 *
 * @param desired the size wanted; 0 and meaningless when {@code abstains}
 * @param abstains true when the policy leaves the size to the other policies
 */
public record ScalingDecision(int desired, String reason, boolean abstains) {
  public ScalingDecision {
    if (desired < 0) {
      throw new IllegalArgumentException("desired must be >= 0, was " + desired);
    }
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("reason must not be blank");
    }
    if (abstains && desired != 0) {
      throw new IllegalArgumentException("desired must be 0 when abstaining, was " + desired);
    }
  }

  /** A wish for {@code desired} nodes. */
  public ScalingDecision(int desired, String reason) {
    this(desired, reason, false);
  }

  public static ScalingDecision keep(int current, String reason) {
    return new ScalingDecision(current, reason);
  }

  /** No wish this time, and why (e.g. "no task waits for a node"). */
  public static ScalingDecision abstain(String reason) {
    return new ScalingDecision(0, reason, true);
  }
}
