package io.tideflow.server.dashboard;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.concurrent.TimeUnit;

/**
 * Task latency percentiles over the last sampling period, read from the bucket counts of the
 * client's {@code tideflow.tasks.latency} histogram as Prometheus' {@code histogram_quantile} reads
 * them over a rate: the counts since the last call, linearly interpolated inside a bucket. Owned by
 * the sampling thread.
 */
final class LatencyWindow {
  static final String TIMER = "tideflow.tasks.latency";

  private final MeterRegistry registry;
  private double[] bounds = new double[0];
  private double[] last = new double[0];

  LatencyWindow(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * The {@code q}-quantiles (0..1) in milliseconds of what was recorded since the last call; NaN
   * for each when nothing was, or when no client in this process records task latency.
   */
  double[] sinceLastCall(double... q) {
    double[] out = new double[q.length];
    java.util.Arrays.fill(out, Double.NaN);
    Timer timer = registry == null ? null : registry.find(TIMER).timer();
    if (timer == null) {
      return out;
    }
    CountAtBucket[] buckets = timer.takeSnapshot().histogramCounts();
    double[] now = new double[buckets.length];
    double[] upper = new double[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      now[i] = buckets[i].count();
      upper[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
    }
    boolean comparable = java.util.Arrays.equals(upper, bounds);
    double[] delta = new double[now.length];
    for (int i = 0; i < now.length; i++) {
      delta[i] = comparable ? Math.max(0, now[i] - last[i]) : now[i];
    }
    bounds = upper;
    last = now;
    for (int k = 0; k < q.length; k++) {
      out[k] = quantile(q[k], upper, delta);
    }
    return out;
  }

  /**
   * The quantile of cumulative bucket counts {@code cumulative} with upper bounds {@code upper}.
   */
  static double quantile(double q, double[] upper, double[] cumulative) {
    if (cumulative.length == 0 || cumulative[cumulative.length - 1] <= 0) {
      return Double.NaN;
    }
    double rank = q * cumulative[cumulative.length - 1];
    for (int i = 0; i < cumulative.length; i++) {
      if (cumulative[i] >= rank) {
        double lower = i == 0 ? 0 : upper[i - 1];
        double below = i == 0 ? 0 : cumulative[i - 1];
        double inBucket = cumulative[i] - below;
        return inBucket <= 0 ? upper[i] : lower + (upper[i] - lower) * (rank - below) / inBucket;
      }
    }
    return upper[upper.length - 1];
  }
}
