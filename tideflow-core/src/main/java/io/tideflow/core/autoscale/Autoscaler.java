package io.tideflow.core.autoscale;

import io.tideflow.core.autoscale.PoolState.Recommendation;
import io.tideflow.core.autoscale.PoolState.ScaleEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * One pool's autoscaler: asks every policy, takes the largest size any of them wants (so no metric
 * is starved, as the HPA does across metrics; a policy that abstains has no say, and when all
 * abstain the size is kept), then applies the pool's limits — min and max (raised or lowered by
 * scheduled windows), growth cap, cooldowns — and writes down why. Pure: {@link #step} returns the
 * decision and what the caller must remember (the log line, raw recommendations) instead of keeping
 * it.
 */
public final class Autoscaler {
  private final List<ScalingPolicy> policies;
  private final PoolLimits baseLimits;
  private final ScheduledBounds schedule;

  public Autoscaler(List<ScalingPolicy> policies, PoolLimits limits) {
    this(policies, limits, ScheduledBounds.none());
  }

  /** With floors and ceilings that hold at scheduled times on top of {@code limits}. */
  public Autoscaler(List<ScalingPolicy> policies, PoolLimits limits, ScheduledBounds schedule) {
    if (policies.isEmpty()) {
      throw new IllegalArgumentException("policies must not be empty");
    }
    if (policies.stream().filter(p -> p instanceof PredictivePolicy).count() > 1) {
      throw new IllegalArgumentException(
          "at most one predictive policy: the pool keeps one load history");
    }
    this.policies = List.copyOf(policies);
    this.baseLimits = limits;
    this.schedule = schedule;
  }

  /**
   * The {@link PredictivePolicy} among the policies, whose metric's pool total the caller should
   * keep in {@link PoolState#load()}; null when none forecasts.
   */
  public PredictivePolicy predictive() {
    for (ScalingPolicy p : policies) {
      if (p instanceof PredictivePolicy predictive) {
        return predictive;
      }
    }
    return null;
  }

  /**
   * The outcome of one step.
   *
   * @param decision the size the pool should have now
   * @param record the decision log line
   * @param recommendation the raw recommendation to add to {@link PoolState#recommendations()} (for
   *     the stabilization windows of target tracking), or null when no policy made one
   */
  public record Step(
      ScalingDecision decision, DecisionRecord record, Recommendation recommendation) {}

  public Step step(MetricsWindow window, PoolState pool, Instant now) {
    return step(window, pool, now, null);
  }

  /**
   * As {@link #step(MetricsWindow, PoolState, Instant)}; while {@code request} (may be null) holds,
   * its size stands for what the policies want.
   */
  public Step step(MetricsWindow window, PoolState pool, Instant now, ScaleRequest request) {
    if (request != null && request.holds(now)) {
      ScalingDecision bounded =
          bound(new ScalingDecision(request.to(), request.reason()), pool, now);
      return new Step(bounded, record(window, pool, now, bounded, "scale-request"), null);
    }
    ScalingPolicy chosen = null;
    ScalingDecision wanted = null;
    List<String> abstained = new ArrayList<>();
    int raw = -1;
    for (ScalingPolicy p : policies) {
      ScalingDecision d = p.decide(window, pool, now);
      if (d.abstains()) {
        abstained.add(p.name() + ": " + d.reason());
      } else if (wanted == null || d.desired() > wanted.desired()) {
        wanted = d;
        chosen = p;
      }
      OptionalInt r = p.recommendation(window, pool);
      if (r.isPresent()) {
        raw = Math.max(raw, r.getAsInt());
      }
    }
    if (wanted == null) {
      chosen = policies.getFirst();
      wanted =
          ScalingDecision.keep(
              pool.current(), "every policy abstains (" + String.join("; ", abstained) + ")");
    }
    ScalingDecision bounded = bound(wanted, pool, now);
    return new Step(
        bounded,
        record(window, pool, now, bounded, chosen.name()),
        raw < 0 ? null : new Recommendation(now, raw));
  }

  private static DecisionRecord record(
      MetricsWindow window, PoolState pool, Instant now, ScalingDecision d, String policy) {
    return new DecisionRecord(
        now, pool.name(), pool.current(), d.desired(), policy, inputs(window), d.reason());
  }

  private ScalingDecision bound(ScalingDecision wanted, PoolState pool, Instant now) {
    PoolLimits limits = schedule.apply(baseLimits, now);
    int current = pool.current();
    int desired = wanted.desired();
    String reason = wanted.reason();
    if (desired > limits.max()) {
      desired = limits.max();
      reason += "; capped at max " + limits.max();
    }
    if (desired < limits.min()) {
      desired = limits.min();
      reason += "; raised to min " + limits.min();
    }
    if (desired > current && current >= limits.min()) {
      int cap = Math.max(current + 1, (int) Math.floor(current * limits.maxGrowthFactor()));
      if (desired > cap) {
        desired = cap;
        reason += "; growth capped at " + cap + " (x" + limits.maxGrowthFactor() + " per step)";
      }
      ScaleEvent lastUp = pool.lastEvent(true);
      if (lastUp != null && lastUp.at().plus(limits.upCooldown()).isAfter(now)) {
        return ScalingDecision.keep(
            current,
            reason
                + "; held at "
                + current
                + ": scale-up cooldown until "
                + lastUp.at().plus(limits.upCooldown()));
      }
    } else if (desired < current && current <= limits.max()) {
      Instant until = lastEventTime(pool).plus(limits.downCooldown());
      if (until.isAfter(now)) {
        return ScalingDecision.keep(
            current, reason + "; held at " + current + ": scale-down cooldown until " + until);
      }
      ScaleDownSelector.Selection removable = ScaleDownSelector.select(pool, current - desired);
      if (!pool.nodes().isEmpty() && !removable.shortfall().isEmpty()) {
        desired = current - removable.nodes().size();
        reason += "; " + removable.shortfall();
      }
    }
    return new ScalingDecision(desired, reason);
  }

  private static Instant lastEventTime(PoolState pool) {
    List<ScaleEvent> h = pool.history();
    return h.isEmpty() ? Instant.MIN : h.getLast().at();
  }

  private static String inputs(MetricsWindow window) {
    if (window.samples().isEmpty()) {
      return "no samples";
    }
    Map<String, Double> latest = new TreeMap<>(window.samples().getLast().values());
    StringBuilder sb = new StringBuilder();
    latest.forEach(
        (k, v) ->
            sb.append(sb.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%s=%.3f", k, v)));
    return sb.toString();
  }
}
