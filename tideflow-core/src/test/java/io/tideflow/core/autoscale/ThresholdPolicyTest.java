package io.tideflow.core.autoscale;

import static io.tideflow.core.autoscale.Samples.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThresholdPolicyTest {
  private final ThresholdPolicy policy = ThresholdPolicy.uniform(0.8, Duration.ofSeconds(60));

  private static MetricsWindow window(double cpu, double memory, double network, double queue) {
    return MetricsWindow.of(
        new MetricsWindow.Sample(
            T0,
            Map.of(
                MetricsWindow.CPU,
                cpu,
                MetricsWindow.MEMORY,
                memory,
                MetricsWindow.NETWORK,
                network,
                MetricsWindow.QUEUE,
                queue)));
  }

  @Test
  void addsWhenAnyMetricIsOverItsThresholdAndSaysWhich() {
    ScalingDecision d = policy.decide(window(0.2, 0.2, 0.95, 0.1), PoolState.of("p", 3), T0);
    assertThat(d.desired()).isEqualTo(4);
    assertThat(d.reason()).isEqualTo("network 0.95 > 0.80: adding 1");
  }

  @Test
  void removesOnlyWhenEveryMetricIsUnderHalfItsThreshold() {
    assertThat(policy.decide(window(0.3, 0.1, 0.1, 0.0), PoolState.of("p", 3), T0).desired())
        .isEqualTo(2);
    ScalingDecision keep = policy.decide(window(0.3, 0.5, 0.1, 0.0), PoolState.of("p", 3), T0);
    assertThat(keep.desired()).isEqualTo(3);
    assertThat(keep.reason()).contains("memory 0.50 >= 0.40");
  }

  @Test
  void aSeparateLowThresholdReplacesHalf() {
    ThresholdPolicy p =
        new ThresholdPolicy(
            Map.of(MetricsWindow.CPU, 0.8),
            Map.of(MetricsWindow.CPU, 0.2),
            Duration.ofSeconds(60),
            2);
    assertThat(p.decide(Samples.cpu(T0, 0.3), PoolState.of("p", 5), T0).desired()).isEqualTo(5);
    assertThat(p.decide(Samples.cpu(T0, 0.1), PoolState.of("p", 5), T0).desired()).isEqualTo(3);
  }

  @Test
  void averagesOverItsSpanAndKeepsWithoutMetrics() {
    MetricsWindow w =
        MetricsWindow.of(
            new MetricsWindow.Sample(
                T0.minusSeconds(120), Map.of(MetricsWindow.CPU, 1.0)), // too old
            new MetricsWindow.Sample(T0.minusSeconds(30), Map.of(MetricsWindow.CPU, 0.9)),
            new MetricsWindow.Sample(T0, Map.of(MetricsWindow.CPU, 0.6)));
    assertThat(policy.decide(w, PoolState.of("p", 2), T0).desired()).isEqualTo(2); // mean 0.75
    ScalingDecision none = policy.decide(MetricsWindow.of(), PoolState.of("p", 2), T0);
    assertThat(none.desired()).isEqualTo(2);
    assertThat(none.reason()).startsWith("no metrics");
  }

  @Test
  void rejectsALowThresholdAboveTheHighOne() {
    assertThatThrownBy(
            () ->
                new ThresholdPolicy(
                    Map.of("cpu", 0.5), Map.of("cpu", 0.7), Duration.ofSeconds(1), 1))
        .hasMessage("low[cpu] must be in [0, 0.5), was 0.7");
  }
}
