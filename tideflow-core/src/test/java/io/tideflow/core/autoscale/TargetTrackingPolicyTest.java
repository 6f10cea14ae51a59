package io.tideflow.core.autoscale;

import static io.tideflow.core.autoscale.Samples.T0;
import static io.tideflow.core.autoscale.Samples.cpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.autoscale.HpaBehavior.Limit;
import io.tideflow.core.autoscale.HpaBehavior.LimitType;
import io.tideflow.core.autoscale.HpaBehavior.Rules;
import io.tideflow.core.autoscale.HpaBehavior.Select;
import io.tideflow.core.autoscale.PoolState.Recommendation;
import io.tideflow.core.autoscale.PoolState.ScaleEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples of the Kubernetes HPA documentation, and its algorithm's edges. */
class TargetTrackingPolicyTest {
  private static final HpaBehavior NO_LIMITS =
      new HpaBehavior(
          new Rules(
              Duration.ZERO,
              List.of(new Limit(LimitType.PERCENT, 10_000, Duration.ofSeconds(15))),
              Select.MAX),
          new Rules(
              Duration.ZERO,
              List.of(new Limit(LimitType.PERCENT, 100, Duration.ofSeconds(15))),
              Select.MAX));

  private static TargetTrackingPolicy policy(double target) {
    return new TargetTrackingPolicy(MetricsWindow.CPU, target, 0.1, NO_LIMITS);
  }

  @Test
  void doublesWhenTheMetricIsTwiceTheTarget() {
    // "if the current metric value is 200m, and the desired value is 100m, the number of
    // replicas will be doubled, since 200.0 / 100.0 == 2.0"
    ScalingDecision d = policy(0.100).decide(cpu(T0, 0.200), PoolState.of("p", 4), T0);
    assertThat(d.desired()).isEqualTo(8);
  }

  @Test
  void halvesWhenTheMetricIsHalfTheTarget() {
    // "If the current value is instead 50m, you'll halve the number of replicas"
    ScalingDecision d = policy(0.100).decide(cpu(T0, 0.050), PoolState.of("p", 4), T0);
    assertThat(d.desired()).isEqualTo(2);
  }

  @Test
  void staysPutWithinTheTolerance() {
    // ratio 1.09 and 0.91 are within 0.1 of 1.0: "the control plane skips any scaling action"
    assertThat(policy(0.5).decide(cpu(T0, 0.545), PoolState.of("p", 10), T0).desired())
        .isEqualTo(10);
    assertThat(policy(0.5).decide(cpu(T0, 0.455), PoolState.of("p", 10), T0).desired())
        .isEqualTo(10);
    assertThat(policy(0.5).decide(cpu(T0, 0.560), PoolState.of("p", 10), T0).desired())
        .isEqualTo(12);
  }

  @Test
  void roundsUp() {
    // ceil(3 * 0.7 / 0.5) = ceil(4.2) = 5
    assertThat(policy(0.5).decide(cpu(T0, 0.7), PoolState.of("p", 3), T0).desired()).isEqualTo(5);
  }

  @Test
  void scaleDownTakesTheHighestRecommendationOfTheStabilizationWindow() {
    // "stabilizationWindowSeconds: 300 ... the highest recommendation from the last 5 minutes"
    HpaBehavior behavior = HpaBehavior.defaults();
    TargetTrackingPolicy p = new TargetTrackingPolicy(MetricsWindow.CPU, 0.5, 0.1, behavior);
    Instant now = T0.plusSeconds(600);
    PoolState pool =
        PoolState.of("p", 10)
            .withRecommendations(
                List.of(
                    new Recommendation(now.minusSeconds(400), 20), // outside the window: ignored
                    new Recommendation(now.minusSeconds(200), 8),
                    new Recommendation(now.minusSeconds(100), 6)));
    // Raw: ceil(10 * 0.2 / 0.5) = 4; the window's highest is 8.
    assertThat(p.decide(cpu(now, 0.2), pool, now).desired()).isEqualTo(8);
  }

  @Test
  void defaultScaleUpAddsTheMoreOfDoublingAndFourNodesPerFifteenSeconds() {
    // Default behavior: "Percent 100 per 15s, Pods 4 per 15s, selectPolicy Max"
    TargetTrackingPolicy p = TargetTrackingPolicy.of(MetricsWindow.CPU, 0.1);
    assertThat(p.decide(cpu(T0, 1.0), PoolState.of("p", 1), T0).desired()).isEqualTo(5);
    assertThat(p.decide(cpu(T0, 1.0), PoolState.of("p", 10), T0).desired()).isEqualTo(20);
  }

  @Test
  void scaleDownRateLimitFromTheDocumentation() {
    // "policies: Pods 4 per 60s and Percent 10 per 60s ... when the number of replicas is 80 ...
    // 8 replicas will be reduced. In the next iteration when the number of replicas is 72, 10% of
    // the pods is 7.2 but the number is rounded up to 8."
    HpaBehavior behavior =
        HpaBehavior.defaults()
            .withScaleDown(
                new Rules(
                    Duration.ZERO,
                    List.of(
                        new Limit(LimitType.NODES, 4, Duration.ofSeconds(60)),
                        new Limit(LimitType.PERCENT, 10, Duration.ofSeconds(60))),
                    Select.MAX));
    TargetTrackingPolicy p = new TargetTrackingPolicy(MetricsWindow.CPU, 0.5, 0.1, behavior);
    assertThat(p.decide(cpu(T0, 0.0625), PoolState.of("p", 80), T0).desired()).isEqualTo(72);
    Instant later = T0.plusSeconds(61);
    PoolState after = PoolState.of("p", 72).withHistory(List.of(new ScaleEvent(T0, 80, 72)));
    assertThat(p.decide(cpu(later, 0.0625), after, later).desired()).isEqualTo(64);
    // Within the same minute the 8 already removed count against the limit.
    assertThat(p.decide(cpu(T0.plusSeconds(30), 0.0625), after, T0.plusSeconds(30)).desired())
        .isEqualTo(72);
  }

  @Test
  void selectMinAllowsTheLeastChange() {
    HpaBehavior behavior =
        HpaBehavior.defaults()
            .withScaleUp(
                new Rules(
                    Duration.ZERO,
                    List.of(
                        new Limit(LimitType.PERCENT, 100, Duration.ofSeconds(15)),
                        new Limit(LimitType.NODES, 4, Duration.ofSeconds(15))),
                    Select.MIN));
    TargetTrackingPolicy p = new TargetTrackingPolicy(MetricsWindow.CPU, 0.1, 0.1, behavior);
    assertThat(p.decide(cpu(T0, 1.0), PoolState.of("p", 10), T0).desired()).isEqualTo(14);
  }

  @Test
  void aDisabledDirectionNeverScales() {
    HpaBehavior behavior =
        HpaBehavior.defaults().withScaleDown(new Rules(Duration.ZERO, List.of(), Select.DISABLED));
    TargetTrackingPolicy p = new TargetTrackingPolicy(MetricsWindow.CPU, 0.5, 0.1, behavior);
    assertThat(p.decide(cpu(T0, 0.1), PoolState.of("p", 10), T0).desired()).isEqualTo(10);
  }

  @Test
  void rejectsANonPositiveTarget() {
    assertThatThrownBy(() -> TargetTrackingPolicy.of("cpu", 0))
        .hasMessage("target must be > 0, was 0.0");
  }
}
