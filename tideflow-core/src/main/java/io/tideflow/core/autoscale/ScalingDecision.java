package io.tideflow.core.autoscale;

/**
 * How many nodes a pool should have, and a sentence saying why, for the decision log and for
 * users who ask "why did it (not) scale?".
 */
public record ScalingDecision(int desired, String reason) {
  public ScalingDecision {
    if (desired < 0) {
      throw new IllegalArgumentException("desired must be >= 0, was " + desired);
    }
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("reason must not be blank");
    }
  }

  public static ScalingDecision keep(int current, String reason) {
    return new ScalingDecision(current, reason);
  }
}
