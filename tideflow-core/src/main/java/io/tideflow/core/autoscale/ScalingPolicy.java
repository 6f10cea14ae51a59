package io.tideflow.core.autoscale;

import java.time.Instant;
import java.util.OptionalInt;

/**
 * Decides a pool's size from its recent metrics. Pure: the same arguments give the same decision;
 * no clock (time is {@code now}), no I/O, no state of its own (what it must remember, such as past
 * recommendations, comes in through {@link PoolState}). Safe to call from any thread.
 */
public interface ScalingPolicy {

  /**
   * Returns the size this policy wants for {@code pool}, before the pool's limits (min, max,
   * cooldowns, growth caps) are applied by {@link Autoscaler}.
   */
  ScalingDecision decide(MetricsWindow window, PoolState pool, Instant now);

  /**
   * The raw recommendation the caller should remember in {@link PoolState#recommendations()} for
   * this policy's stabilization windows, before they and the rate limits apply; empty (the default)
   * for a policy that keeps none.
   */
  default OptionalInt recommendation(MetricsWindow window, PoolState pool) {
    return OptionalInt.empty();
  }

  /** A short name for the decision log, e.g. {@code threshold} or {@code target-tracking}. */
  String name();
}
