package io.tideflow.core.autoscale;

import io.tideflow.core.autoscale.HpaBehavior.Limit;
import io.tideflow.core.autoscale.HpaBehavior.Rules;
import io.tideflow.core.autoscale.PoolState.Recommendation;
import io.tideflow.core.autoscale.PoolState.ScaleEvent;
import java.time.Instant;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Keeps a metric at a target the way the Kubernetes HorizontalPodAutoscaler does: {@code desired =
 * ⌈current × value ÷ target⌉}, no change while the ratio is within the tolerance (0.1 by default),
 * then the stabilization windows (scaling down takes the highest recommendation of the window,
 * scaling up the lowest) and the rate limits of {@link HpaBehavior}.
 *
 * <p>Pure: past recommendations and scale events come in through {@link PoolState}; the caller
 * records {@link #recommend}'s result after each decision.
 */
public final class TargetTrackingPolicy implements ScalingPolicy {
  private final String metric;
  private final double target;
  private final double tolerance;
  private final HpaBehavior behavior;

  public TargetTrackingPolicy(
      String metric, double target, double tolerance, HpaBehavior behavior) {
    if (metric == null || metric.isBlank()) {
      throw new IllegalArgumentException("metric must not be blank, was '" + metric + "'");
    }
    if (!(target > 0)) {
      throw new IllegalArgumentException("target must be > 0, was " + target);
    }
    if (!(tolerance >= 0 && tolerance < 1)) {
      throw new IllegalArgumentException("tolerance must be in [0, 1), was " + tolerance);
    }
    this.metric = metric;
    this.target = target;
    this.tolerance = tolerance;
    this.behavior = behavior;
  }

  /** The HPA's defaults: tolerance 0.1 and {@link HpaBehavior#defaults()}. */
  public static TargetTrackingPolicy of(String metric, double target) {
    return new TargetTrackingPolicy(metric, target, 0.1, HpaBehavior.defaults());
  }

  @Override
  public String name() {
    return "target-tracking";
  }

  @Override
  public OptionalInt recommendation(MetricsWindow window, PoolState pool) {
    int raw = recommend(window, pool);
    return raw < 0 ? OptionalInt.empty() : OptionalInt.of(raw);
  }

  /** The raw recommendation, before stabilization and rate limits; -1 without a metric value. */
  public int recommend(MetricsWindow window, PoolState pool) {
    OptionalDouble value = window.latest(metric);
    if (value.isEmpty()) {
      return -1;
    }
    int current = pool.current();
    double ratio = value.getAsDouble() / target;
    if (Math.abs(ratio - 1) <= tolerance) {
      return current;
    }
    if (current == 0) {
      return value.getAsDouble() > 0 ? 1 : 0;
    }
    return (int) Math.ceil(current * ratio - 1e-9);
  }

  @Override
  public ScalingDecision decide(MetricsWindow window, PoolState pool, Instant now) {
    int current = pool.current();
    int raw = recommend(window, pool);
    if (raw < 0) {
      return ScalingDecision.keep(current, "no " + metric + " value: keeping " + current);
    }
    double value = window.latest(metric).getAsDouble();
    String why =
        String.format(
            Locale.ROOT,
            "%s %.3f vs target %.3f (ratio %.2f, tolerance %.2f)",
            metric,
            value,
            target,
            value / target,
            tolerance);
    if (raw == current) {
      return ScalingDecision.keep(current, why + ": keeping " + current);
    }
    int stabilized = stabilize(raw, pool, now);
    if (stabilized == current) {
      return ScalingDecision.keep(
          current,
          why + ": wants " + raw + ", held at " + current + " by the stabilization window");
    }
    int limited = rateLimit(stabilized, pool, now);
    String limitNote = limited == stabilized ? "" : " (rate limit allows " + limited + ")";
    return new ScalingDecision(limited, why + ": " + current + " -> " + stabilized + limitNote);
  }

  private int stabilize(int raw, PoolState pool, Instant now) {
    int up = raw;
    int down = raw;
    Instant upFrom = now.minus(behavior.scaleUp().stabilizationWindow());
    Instant downFrom = now.minus(behavior.scaleDown().stabilizationWindow());
    for (Recommendation r : pool.recommendations()) {
      if (r.at().isAfter(upFrom) && !r.at().isAfter(now)) {
        up = Math.min(up, r.desired());
      }
      if (r.at().isAfter(downFrom) && !r.at().isAfter(now)) {
        down = Math.max(down, r.desired());
      }
    }
    int recommendation = pool.current();
    if (recommendation < up) {
      recommendation = up;
    }
    if (recommendation > down) {
      recommendation = down;
    }
    return recommendation;
  }

  private int rateLimit(int desired, PoolState pool, Instant now) {
    int current = pool.current();
    if (desired > current) {
      Rules rules = behavior.scaleUp();
      return rules.select() == HpaBehavior.Select.DISABLED
          ? current
          : Math.min(desired, limit(rules, pool, now, true));
    }
    Rules rules = behavior.scaleDown();
    return rules.select() == HpaBehavior.Select.DISABLED
        ? current
        : Math.max(desired, limit(rules, pool, now, false));
  }

  /** The HPA's per-period limit: from the size at the period's start, the allowed change. */
  private static int limit(Rules rules, PoolState pool, Instant now, boolean up) {
    boolean most = rules.select() == HpaBehavior.Select.MAX;
    // "Max" selects the limit that allows the most change, "Min" the least: going up that is
    // the highest (or lowest) proposal, going down the lowest (or highest).
    boolean pickHighest = up == most;
    Integer result = null;
    for (Limit l : rules.limits()) {
      int changed = 0;
      Instant from = now.minus(l.period());
      for (ScaleEvent e : pool.history()) {
        if (e.at().isAfter(from) && e.up() == up) {
          changed += Math.abs(e.to() - e.from());
        }
      }
      int start = up ? pool.current() - changed : pool.current() + changed;
      int proposed;
      if (l.type() == HpaBehavior.LimitType.NODES) {
        proposed = up ? start + l.value() : start - l.value();
      } else if (up) {
        proposed = (int) Math.ceil(start * (1 + l.value() / 100.0));
      } else {
        proposed = (int) (start * (1 - l.value() / 100.0));
      }
      if (result == null || (pickHighest ? proposed > result : proposed < result)) {
        result = proposed;
      }
    }
    return Math.max(0, result);
  }
}
