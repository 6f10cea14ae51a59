package io.tideflow.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.autoscale.MetricsWindow;
import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.autoscale.PredictivePolicy;
import io.tideflow.core.autoscale.ScalingPolicy;
import io.tideflow.core.autoscale.TargetTrackingPolicy;
import io.tideflow.core.forecast.SeasonalNaive;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What a forecast buys, on the simulator: two working days with a steep morning ramp and nodes
 * that take 90 s to start; on the second day (the first is its history) a forecast beside target
 * tracking at least halves the seconds work waits, for at most 10 % more node-hours.
 */
class PredictiveSimulationTest {
  private static SimResult run(Supplier<List<ScalingPolicy>> policies) {
    return ClusterSim.run(
        SimConfig.of(42, Duration.ofDays(2), new LoadModel.WorkingDay(2, 20, 30, 0.1, 13), policies)
            .withTasks(500, 120_000)
            .withNodes(40, PoolLimits.of(1, 2_000))
            .withStartup(SimConfig.Startup.VM));
  }

  private static long[] secondDay(SimResult r) {
    long under = 0;
    long nodeSeconds = 0;
    for (SimResult.Minute m : r.minutes()) {
      if (m.minute() >= 1440) {
        under += m.underSeconds();
        nodeSeconds += m.nodeSeconds();
      }
    }
    return new long[] {under, nodeSeconds};
  }

  @Test
  void aForecastHalvesTheTimeWorkWaitsOnTheSecondDayForAtMostATenthMoreNodeHours() {
    SimResult reactive = run(() -> List.of(TargetTrackingPolicy.of(MetricsWindow.CPU, 0.7)));
    SimResult predictive =
        run(
            () ->
                List.of(
                    TargetTrackingPolicy.of(MetricsWindow.CPU, 0.7),
                    new PredictivePolicy(
                        SimConfig.DEMAND, SeasonalNaive.daily(), 0.7, Duration.ofSeconds(195))));
    long[] r = secondDay(reactive);
    long[] p = secondDay(predictive);
    assertThat(r[0]).as("target tracking alone falls behind the ramp").isPositive();
    assertThat(p[0]).isLessThanOrEqualTo(r[0] / 2);
    assertThat((double) p[1]).isLessThanOrEqualTo(1.1 * r[1]);
    assertThat(predictive.lost()).isZero();
  }
}
