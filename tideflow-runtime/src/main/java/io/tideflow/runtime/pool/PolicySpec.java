package io.tideflow.runtime.pool;

import io.tideflow.core.autoscale.HpaBehavior;

/** One scaling policy of a pool, as a value; the pool builds the core policy from it. */
public sealed interface PolicySpec {

  /**
   * Keeps {@code metric} per node at {@code target} the way the Kubernetes HPA does.
   *
   * @param tolerance no change while the ratio to the target is within it, in [0, 1)
   */
  record TargetTracking(String metric, double target, double tolerance, HpaBehavior behavior)
      implements PolicySpec {
    public TargetTracking {
      if (metric == null || metric.isBlank()) {
        throw new IllegalArgumentException("metric must not be blank, was '" + metric + "'");
      }
      if (!(target > 0)) {
        throw new IllegalArgumentException("target must be > 0, was " + target);
      }
      if (!(tolerance >= 0 && tolerance < 1)) {
        throw new IllegalArgumentException("tolerance must be in [0, 1), was " + tolerance);
      }
      if (behavior == null) {
        throw new IllegalArgumentException("behavior must not be null");
      }
    }
  }

  /**
   * Grows the pool for work that waits because no node has room for it. Beside other policies it
   * abstains when nothing waits, leaving shrinking to them; alone, the pool only grows.
   */
  record PendingDemand() implements PolicySpec {}
}
