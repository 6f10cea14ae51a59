package io.tideflow.core.autoscale;

import java.time.Instant;

/**
 * One line of a pool's decision log: when, from what, to what, by which policy, and why.
 *
 * @param inputs the metric values the decision saw, as text (e.g. "cpu=0.91 queue=0.10")
 */
public record DecisionRecord(
    Instant at,
    String pool,
    int current,
    int desired,
    String policy,
    String inputs,
    String reason) {

  /** True when the decision changes the pool's size. */
  public boolean scales() {
    return desired != current;
  }
}
