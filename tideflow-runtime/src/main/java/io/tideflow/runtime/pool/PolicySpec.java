package io.tideflow.runtime.pool;

import io.tideflow.core.autoscale.HpaBehavior;
import io.tideflow.core.autoscale.TargetTrackingPolicy;

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
      if (behavior == null) {
        throw new IllegalArgumentException("behavior must not be null");
      }
      // The policy's own checks, so a spec is refused with the policy's messages, at once.
      new TargetTrackingPolicy(metric, target, tolerance, behavior);
    }
  }

  /**
   * Grows the pool for work that waits because no node has room for it. Beside other policies it
   * abstains when nothing waits, leaving shrinking to them; alone, the pool only grows.
   */
  record PendingDemand() implements PolicySpec {}
}
