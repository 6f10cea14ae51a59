package io.tideflow.runtime.pool;

import io.tideflow.core.autoscale.HpaBehavior;
import io.tideflow.core.autoscale.PredictivePolicy;
import io.tideflow.core.autoscale.TargetTrackingPolicy;
import io.tideflow.core.autoscale.ThresholdPolicy;
import io.tideflow.core.forecast.Forecaster;
import io.tideflow.core.forecast.HoltWinters;
import io.tideflow.core.forecast.SeasonalNaive;
import java.time.Duration;
import java.util.Map;

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
   * Scales ahead of a load that repeats: forecasts the pool's total of {@code metric} from its own
   * history with {@code forecaster} ({@code seasonal-naive} or {@code holt-winters}, a day of
   * five-minute buckets) and wants enough nodes for the forecast's peak within {@code lead} at
   * {@code target} per node. Meant beside a reactive policy, which it never takes the size below.
   */
  record Predictive(String metric, double target, Duration lead, String forecaster)
      implements PolicySpec {
    public Predictive {
      policy(metric, target, lead, forecaster); // the policy's own checks, at once
    }

    public PredictivePolicy policy() {
      return policy(metric, target, lead, forecaster);
    }

    private static PredictivePolicy policy(
        String metric, double target, Duration lead, String forecaster) {
      Forecaster f =
          switch (forecaster == null ? "" : forecaster) {
            case "seasonal-naive" -> SeasonalNaive.daily();
            case "holt-winters" -> HoltWinters.daily();
            default ->
                throw new IllegalArgumentException(
                    "forecaster must be seasonal-naive or holt-winters, was '" + forecaster + "'");
          };
      return new PredictivePolicy(metric, f, target, lead);
    }
  }

  /**
   * Grows the pool for work that waits because no node has room for it. Beside other policies it
   * abstains when nothing waits, leaving shrinking to them; alone, the pool only grows.
   */
  record PendingDemand() implements PolicySpec {}

  /**
   * Adds {@code step} nodes when any metric's average over {@code span} is over its high threshold,
   * removes {@code step} when every one is under its low threshold — the seeds' rule ("add a node
   * when cpu is over 80 %, remove one when under 20 %").
   *
   * @param high utilization thresholds in (0, 1] by metric ({@code cpu}, {@code memory}, …)
   * @param low by metric; a metric not named gets half its high threshold
   */
  record Threshold(Map<String, Double> high, Map<String, Double> low, Duration span, int step)
      implements PolicySpec {
    public Threshold {
      high = Map.copyOf(high);
      low = Map.copyOf(low);
      policy(high, low, span, step); // the policy's own checks, at once
    }

    /** The seeds' preset: add when cpu is over 80 %, remove when under 20 %, over a minute. */
    public static Threshold eightyTwenty() {
      return new Threshold(Map.of("cpu", 0.8), Map.of("cpu", 0.2), Duration.ofMinutes(1), 1);
    }

    public ThresholdPolicy policy() {
      return policy(high, low, span, step);
    }

    private static ThresholdPolicy policy(
        Map<String, Double> high, Map<String, Double> low, Duration span, int step) {
      for (String metric : low.keySet()) {
        if (!high.containsKey(metric)) {
          throw new IllegalArgumentException(
              "a low threshold for " + metric + " needs a high one as well");
        }
      }
      return new ThresholdPolicy(high, low, span, step);
    }
  }
}
