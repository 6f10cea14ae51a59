package io.tideflow.core.autoscale;

import io.tideflow.core.forecast.Forecaster;
import io.tideflow.core.forecast.LoadHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Scales ahead of a load that repeats (a day's ramp, a weekly peak): forecasts the pool's total of
 * a metric from its own history ({@link PoolState#load()}: the metric's per-node mean times the
 * serving nodes, kept by the caller — {@link PoolReconciler} does, for {@link
 * Autoscaler#predictive()}) over the next {@code lead} — the provider's start-up plus a decision
 * interval, so a node asked for now serves when the load arrives — and wants enough nodes for the
 * peak of that forecast at {@code target} per node, as target tracking would want for that load
 * ({@code ⌈total ÷ target⌉}).
 *
 * <p>It is meant beside a reactive policy (target tracking, threshold): the {@link Autoscaler}
 * takes the largest size any policy wants, so a forecast too high costs nodes, never availability,
 * and one too low changes nothing. Until the history is long enough to forecast it abstains and
 * says why; every decision names the forecast, its horizon and its peak.
 */
public final class PredictivePolicy implements ScalingPolicy {
  private final String metric;
  private final Forecaster forecaster;
  private final double target;
  private final Duration lead;
  private final LoadHistory kept;

  /**
   * @param metric the metric forecast, e.g. {@link MetricsWindow#CPU} or {@link
   *     PoolReconciler#CONCURRENCY}
   * @param target how much of the metric one node should carry, as for target tracking, &gt; 0
   * @param lead how far ahead to look: the nodes' start-up and a decision interval, at least 1 ms
   */
  public PredictivePolicy(String metric, Forecaster forecaster, double target, Duration lead) {
    this(metric, forecaster, target, lead, LoadHistory.days(8));
  }

  /**
   * As the other constructor, keeping the load in buckets of {@code kept}'s width, as many as it
   * holds (the forecaster's season is counted in those buckets).
   */
  public PredictivePolicy(
      String metric, Forecaster forecaster, double target, Duration lead, LoadHistory kept) {
    if (kept == null || !kept.isEmpty()) {
      throw new IllegalArgumentException("kept must be an empty history, was " + kept);
    }
    this.kept = kept;
    if (metric == null || metric.isBlank()) {
      throw new IllegalArgumentException("metric must not be blank, was '" + metric + "'");
    }
    if (forecaster == null) {
      throw new IllegalArgumentException("forecaster must not be null");
    }
    if (!(target > 0) || Double.isInfinite(target)) {
      throw new IllegalArgumentException("target must be > 0, was " + target);
    }
    if (lead == null || lead.toMillis() < 1) {
      throw new IllegalArgumentException("lead must be at least 1 ms, was " + lead);
    }
    this.metric = metric;
    this.forecaster = forecaster;
    this.target = target;
    this.lead = lead;
  }

  /** An empty history of the shape this policy forecasts from, for the caller to fill. */
  public LoadHistory emptyHistory() {
    return kept;
  }

  /** The metric whose pool total is forecast. */
  public String metric() {
    return metric;
  }

  @Override
  public String name() {
    return "predictive";
  }

  @Override
  public ScalingDecision decide(MetricsWindow window, PoolState pool, Instant now) {
    LoadHistory history = pool.load();
    String shortOf = forecaster.shortOf(history);
    if (shortOf != null) {
      return ScalingDecision.abstain("no " + forecaster.name() + " forecast yet: " + shortOf);
    }
    // The buckets [now, now + lead] touches that the forecast covers (it starts after the newest
    // bucket); at least the next one, when the lead ends within the current bucket.
    long newest = history.newestBucket();
    long first = Math.max(history.bucketOf(now), newest + 1);
    long last = Math.max(first, history.bucketOf(now.plus(lead)));
    int horizon = (int) Math.min(LoadHistory.MAX_CAPACITY, last - newest);
    double[] f = forecaster.forecast(history, horizon);
    int from = (int) Math.min(horizon - 1, first - newest - 1);
    double peak = f[from];
    int at = from;
    for (int k = from + 1; k < horizon; k++) {
      if (f[k] > peak) {
        peak = f[k];
        at = k;
      }
    }
    int desired = (int) Math.ceil(peak / target - 1e-9);
    Instant peakAt = history.startOf(newest + at + 1);
    return new ScalingDecision(
        Math.max(0, desired),
        String.format(
            Locale.ROOT,
            "%s forecast of %s peaks at %.2f in all at %s (within %s ahead): %d node(s) at %.2f"
                + " each",
            forecaster.name(),
            metric,
            peak,
            peakAt,
            lead,
            desired,
            target));
  }
}
