package io.tideflow.core.model;

/**
 * A task's bound on the latency from its node to a region, checked against a {@link LatencyTable}.
 *
 * @param region the region the task talks to (for example its users' region)
 * @param maxMillis the most round-trip latency allowed, in milliseconds
 */
public record LatencyBound(String region, int maxMillis) {
  public LatencyBound {
    Checks.notBlank("region", region);
    if (maxMillis < 0) {
      throw new IllegalArgumentException("maxMillis must be >= 0, was " + maxMillis);
    }
  }
}
