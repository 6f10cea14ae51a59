package io.tideflow.core.autoscale;

import java.time.Duration;

/**
 * Bounds every decision for a pool must respect, whatever the policies want.
 *
 * @param min fewest nodes
 * @param max most nodes
 * @param upCooldown no scale-up sooner than this after the last scale-up
 * @param downCooldown no scale-down sooner than this after the last scale event of either kind
 * @param maxGrowthFactor a scale-up grows the pool to at most this many times its size (Ray's
 *     upscaling_speed; 2.0 = at most double), and always allows one node
 */
public record PoolLimits(
    int min, int max, Duration upCooldown, Duration downCooldown, double maxGrowthFactor) {

  public PoolLimits {
    if (min < 0) {
      throw new IllegalArgumentException("min must be >= 0, was " + min);
    }
    if (max < min) {
      throw new IllegalArgumentException("max must be >= min (" + min + "), was " + max);
    }
    if (upCooldown.isNegative()) {
      throw new IllegalArgumentException("upCooldown must be >= 0, was " + upCooldown);
    }
    if (downCooldown.isNegative()) {
      throw new IllegalArgumentException("downCooldown must be >= 0, was " + downCooldown);
    }
    if (!(maxGrowthFactor > 1)) {
      throw new IllegalArgumentException("maxGrowthFactor must be > 1, was " + maxGrowthFactor);
    }
  }

  /** {@code min}..{@code max} nodes, 30 s up cooldown, 120 s down cooldown, at most double. */
  public static PoolLimits of(int min, int max) {
    return new PoolLimits(min, max, Duration.ofSeconds(30), Duration.ofSeconds(120), 2.0);
  }

  public PoolLimits withCooldowns(Duration up, Duration down) {
    return new PoolLimits(min, max, up, down, maxGrowthFactor);
  }
}
