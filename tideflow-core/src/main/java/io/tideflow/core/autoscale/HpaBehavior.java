package io.tideflow.core.autoscale;

import java.time.Duration;
import java.util.List;

/**
 * The Kubernetes HPA's {@code behavior}: per direction a stabilization window and rate limits.
 * Defaults are the HPA's: scale up at once, by at most 100 % or 4 nodes (whichever is more) per 15
 * s; scale down after a 300 s window, by at most 100 % per 15 s.
 */
public record HpaBehavior(Rules scaleUp, Rules scaleDown) {

  /** How a limit of one rule is expressed. */
  public enum LimitType {
    /** At most {@code value} nodes per period. */
    NODES,
    /** At most {@code value} percent of the nodes at the period's start, per period. */
    PERCENT
  }

  /** Which limit applies when a direction has several: the one allowing most or least change. */
  public enum Select {
    MAX,
    MIN,
    /** Scaling in this direction is off. */
    DISABLED
  }

  /** One rate limit. */
  public record Limit(LimitType type, int value, Duration period) {
    public Limit {
      if (value <= 0) {
        throw new IllegalArgumentException("limit value must be > 0, was " + value);
      }
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("limit period must be > 0, was " + period);
      }
    }
  }

  /** The rules of one direction. */
  public record Rules(Duration stabilizationWindow, List<Limit> limits, Select select) {
    public Rules {
      if (stabilizationWindow.isNegative()) {
        throw new IllegalArgumentException(
            "stabilizationWindow must be >= 0, was " + stabilizationWindow);
      }
      limits = List.copyOf(limits);
      if (limits.isEmpty() && select != Select.DISABLED) {
        throw new IllegalArgumentException("limits must not be empty unless select is DISABLED");
      }
    }

    /** The longest period among the limits (how much history they need). */
    Duration longestPeriod() {
      Duration longest = Duration.ZERO;
      for (Limit l : limits) {
        if (l.period().compareTo(longest) > 0) {
          longest = l.period();
        }
      }
      return longest;
    }
  }

  public static HpaBehavior defaults() {
    Duration fifteen = Duration.ofSeconds(15);
    return new HpaBehavior(
        new Rules(
            Duration.ZERO,
            List.of(
                new Limit(LimitType.PERCENT, 100, fifteen), new Limit(LimitType.NODES, 4, fifteen)),
            Select.MAX),
        new Rules(
            Duration.ofSeconds(300),
            List.of(new Limit(LimitType.PERCENT, 100, fifteen)),
            Select.MAX));
  }

  public HpaBehavior withScaleDown(Rules rules) {
    return new HpaBehavior(scaleUp, rules);
  }

  public HpaBehavior withScaleUp(Rules rules) {
    return new HpaBehavior(rules, scaleDown);
  }
}
