package io.tideflow.core.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Scales on utilization thresholds: adds {@code step} nodes when ANY metric's average over {@code
 * span} is above its high threshold (e.g. cpu > 0.8); removes {@code step} nodes when ALL metrics
 * are below their low threshold (by default half the high one, e.g. cpu < 0.4), and keeps the size
 * in between. The gap between the two thresholds is what keeps it from flapping.
 */
public final class ThresholdPolicy implements ScalingPolicy {
  private final Map<String, Double> high;
  private final Map<String, Double> low;
  private final Duration span;
  private final int step;

  /**
   * @param high high threshold per metric, {@code > 0}
   * @param low low threshold per metric; metrics not named get half their high threshold
   * @param span how far back the averages look
   * @param step nodes added or removed per decision, {@code >= 1}
   */
  public ThresholdPolicy(
      Map<String, Double> high, Map<String, Double> low, Duration span, int step) {
    if (high.isEmpty()) {
      throw new IllegalArgumentException("high thresholds must name at least one metric");
    }
    if (step < 1) {
      throw new IllegalArgumentException("step must be >= 1, was " + step);
    }
    if (span.isNegative() || span.isZero()) {
      throw new IllegalArgumentException("span must be > 0, was " + span);
    }
    Map<String, Double> lows = new TreeMap<>();
    high.forEach(
        (metric, h) -> {
          if (!(h > 0)) {
            throw new IllegalArgumentException("high[" + metric + "] must be > 0, was " + h);
          }
          double l = low.getOrDefault(metric, h / 2);
          if (!(l >= 0 && l < h)) {
            throw new IllegalArgumentException(
                "low[" + metric + "] must be in [0, " + h + "), was " + l);
          }
          lows.put(metric, l);
        });
    this.high = Map.copyOf(new TreeMap<>(high));
    this.low = Map.copyOf(lows);
    this.span = span;
    this.step = step;
  }

  /**
   * Adds when any of cpu, memory, network or queue is over {@code threshold}; removes under half.
   */
  public static ThresholdPolicy uniform(double threshold, Duration span) {
    return new ThresholdPolicy(
        Map.of(
            MetricsWindow.CPU, threshold,
            MetricsWindow.MEMORY, threshold,
            MetricsWindow.NETWORK, threshold,
            MetricsWindow.QUEUE, threshold),
        Map.of(),
        span,
        1);
  }

  @Override
  public String name() {
    return "threshold";
  }

  @Override
  public ScalingDecision decide(MetricsWindow window, PoolState pool, Instant now) {
    List<String> over = new ArrayList<>();
    List<String> notLow = new ArrayList<>();
    int measured = 0;
    for (String metric : new TreeMap<>(high).keySet()) {
      OptionalDouble avg = window.average(metric, span, now);
      if (avg.isEmpty()) {
        continue;
      }
      measured++;
      double v = avg.getAsDouble();
      if (v > high.get(metric)) {
        over.add(describe(metric, v, ">", high.get(metric)));
      }
      if (v >= low.get(metric)) {
        notLow.add(describe(metric, v, ">=", low.get(metric)));
      }
    }
    int current = pool.current();
    if (measured == 0) {
      return ScalingDecision.keep(
          current, "no metrics in the last " + span + ": keeping " + current);
    }
    if (!over.isEmpty()) {
      return new ScalingDecision(current + step, String.join(", ", over) + ": adding " + step);
    }
    if (notLow.isEmpty() && current > 0) {
      return new ScalingDecision(
          Math.max(0, current - step), "every metric under its low threshold: removing " + step);
    }
    return ScalingDecision.keep(
        current,
        "within thresholds ("
            + (notLow.isEmpty() ? "pool empty" : String.join(", ", notLow))
            + "): keeping "
            + current);
  }

  private static String describe(String metric, double v, String op, double threshold) {
    return String.format(Locale.ROOT, "%s %.2f %s %.2f", metric, v, op, threshold);
  }
}
