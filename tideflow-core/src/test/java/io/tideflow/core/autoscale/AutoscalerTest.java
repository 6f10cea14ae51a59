package io.tideflow.core.autoscale;

import static io.tideflow.core.autoscale.Samples.T0;
import static io.tideflow.core.autoscale.Samples.cpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.autoscale.PoolState.PoolNode;
import io.tideflow.core.autoscale.PoolState.ScaleEvent;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoscalerTest {
  private final PoolLimits limits =
      PoolLimits.of(2, 10).withCooldowns(Duration.ofSeconds(30), Duration.ofSeconds(120));

  @Test
  void takesTheLargestSizeAnyPolicyWantsAndLogsWhichOne() {
    Autoscaler a =
        new Autoscaler(
            List.of(
                ThresholdPolicy.uniform(0.8, Duration.ofSeconds(60)),
                new TargetTrackingPolicy(MetricsWindow.CPU, 0.5, 0.1, HpaBehavior.defaults())),
            limits);
    Autoscaler.Step step = a.step(cpu(T0, 0.9), PoolState.of("web", 3), T0);
    // threshold wants 4, target tracking ceil(3 * 0.9 / 0.5) = 6
    assertThat(step.decision().desired()).isEqualTo(6);
    assertThat(step.record().policy()).isEqualTo("target-tracking");
    assertThat(step.record().inputs()).isEqualTo("cpu=0.900");
    assertThat(step.record().scales()).isTrue();
    assertThat(step.recommendation().desired()).isEqualTo(6);
  }

  @Test
  void keepsWithinMinAndMaxAndCapsGrowthAtDouble() {
    Autoscaler a =
        new Autoscaler(
            List.of(TargetTrackingPolicy.of(MetricsWindow.CPU, 0.1)),
            new PoolLimits(2, 100, Duration.ZERO, Duration.ZERO, 2.0));
    ScalingDecision grow = a.step(cpu(T0, 1.0), PoolState.of("p", 3), T0).decision();
    assertThat(grow.desired()).isEqualTo(6);
    assertThat(grow.reason()).contains("growth capped at 6");
    ScalingDecision min = a.step(cpu(T0, 0.0), PoolState.of("p", 3), T0).decision();
    assertThat(min.desired()).isEqualTo(2);
    assertThat(min.reason()).contains("raised to min 2");
  }

  @Test
  void cooldownsHoldAndSayUntilWhen() {
    Autoscaler a =
        new Autoscaler(List.of(ThresholdPolicy.uniform(0.8, Duration.ofSeconds(60))), limits);
    PoolState justGrew = PoolState.of("p", 4).withHistory(List.of(new ScaleEvent(T0, 3, 4)));
    ScalingDecision up =
        a.step(cpu(T0.plusSeconds(10), 0.95), justGrew, T0.plusSeconds(10)).decision();
    assertThat(up.desired()).isEqualTo(4);
    assertThat(up.reason()).contains("scale-up cooldown until 2026-11-24T00:00:30Z");
    ScalingDecision down =
        a.step(cpu(T0.plusSeconds(60), 0.05), justGrew, T0.plusSeconds(60)).decision();
    assertThat(down.desired()).isEqualTo(4);
    assertThat(down.reason()).contains("scale-down cooldown until 2026-11-24T00:02:00Z");
    assertThat(
            a.step(cpu(T0.plusSeconds(121), 0.05), justGrew, T0.plusSeconds(121))
                .decision()
                .desired())
        .isEqualTo(3);
  }

  @Test
  void aScheduledFloorRaisesThePoolWhenItsWindowOpens() {
    ScheduledBounds weekdays =
        new ScheduledBounds(
            List.of(
                new ScheduledBounds.Window(
                    EnumSet.allOf(DayOfWeek.class),
                    LocalTime.of(8, 0),
                    LocalTime.of(18, 0),
                    ZoneOffset.UTC,
                    8,
                    20)));
    Autoscaler a =
        new Autoscaler(
            List.of(ThresholdPolicy.uniform(0.8, Duration.ofSeconds(60))),
            PoolLimits.of(2, 10).withCooldowns(Duration.ZERO, Duration.ZERO),
            weekdays);
    Instant nine = Instant.parse("2026-11-24T09:00:00Z");
    ScalingDecision d = a.step(cpu(nine, 0.5), PoolState.of("p", 3), nine).decision();
    // A floor holds at once, as the HPA's minReplicas does: the growth cap is for policies.
    assertThat(d.desired()).isEqualTo(8);
    assertThat(d.reason()).contains("raised to min 8").doesNotContain("growth capped");
    Instant night = Instant.parse("2026-11-24T22:00:00Z");
    assertThat(a.step(cpu(night, 0.5), PoolState.of("p", 3), night).decision().desired())
        .isEqualTo(3);
  }

  @Test
  void pinnedNodesAreNotRemovedAndTheReasonNamesThem() {
    Autoscaler a =
        new Autoscaler(
            List.of(ThresholdPolicy.uniform(0.8, Duration.ofSeconds(60))),
            PoolLimits.of(0, 10).withCooldowns(Duration.ZERO, Duration.ZERO));
    PoolState pool = PoolState.of("p", 1).withNodes(List.of(new PoolNode("n1", 0, true)));
    ScalingDecision d = a.step(cpu(T0, 0.0), pool, T0).decision();
    assertThat(d.desired()).isEqualTo(1);
    assertThat(d.reason()).contains("pinned (hold work that cannot move): [n1]");
  }

  @Test
  void doesNotThrashUnderOscillatingLoad() {
    // cpu swings between 0.30 and 0.90 every 30 s for two hours around a 0.6 target: the HPA's
    // 5-minute scale-down window keeps the pool at the size the peaks need.
    Autoscaler a =
        new Autoscaler(
            List.of(TargetTrackingPolicy.of(MetricsWindow.CPU, 0.6)),
            PoolLimits.of(1, 50).withCooldowns(Duration.ZERO, Duration.ZERO));
    PoolState pool = PoolState.of("p", 4);
    int changes = 0;
    List<Integer> sizes = new ArrayList<>();
    for (int s = 0; s <= 7200; s += 15) {
      Instant now = T0.plusSeconds(s);
      boolean peak = (s / 30) % 2 == 0;
      // demand is fixed in node-seconds: utilization falls as the pool grows
      double demand = peak ? 0.9 * 4 : 0.3 * 4;
      double utilization = demand / pool.current();
      Autoscaler.Step step = a.step(cpu(now, utilization), pool, now);
      List<PoolState.Recommendation> recs = new ArrayList<>(pool.recommendations());
      recs.add(step.recommendation());
      recs.removeIf(r -> r.at().isBefore(now.minusSeconds(600)));
      List<ScaleEvent> history = new ArrayList<>(pool.history());
      int next = step.decision().desired();
      if (next != pool.current()) {
        changes++;
        history.add(new ScaleEvent(now, pool.current(), next));
      }
      pool = pool.withCurrent(next).withRecommendations(recs).withHistory(history);
      sizes.add(next);
    }
    assertThat(changes).as("size changes over 2 h, sizes " + sizes).isLessThanOrEqualTo(2);
    assertThat(pool.current()).isEqualTo(6); // ceil(3.6 / 0.6): what the peaks need
  }

  @Test
  void aScaleRequestStandsForThePoliciesWithinTheBoundsUntilItLapses() {
    Autoscaler a =
        new Autoscaler(
            List.of(new TargetTrackingPolicy(MetricsWindow.CPU, 0.5, 0.1, HpaBehavior.defaults())),
            new PoolLimits(2, 10, Duration.ZERO, Duration.ZERO, 2.0));
    ScaleRequest double4 =
        new ScaleRequest(ScaleRequest.resolve(2, 4), 2, T0, Duration.ofMinutes(10), "ops");
    assertThat(double4.to()).isEqualTo(8);
    Autoscaler.Step held = a.step(cpu(T0, 0.5), PoolState.of("web", 4), T0.plusSeconds(1), double4);
    assertThat(held.decision().desired()).isEqualTo(8);
    assertThat(held.record().policy()).isEqualTo("scale-request");
    assertThat(held.record().reason())
        .startsWith("scale request by ops: to 8 (x2.0), held until 2026-");

    ScaleRequest tooMany = new ScaleRequest(50, 0, T0, Duration.ofMinutes(10), "ops");
    assertThat(
            a.step(cpu(T0, 0.5), PoolState.of("web", 8), T0.plusSeconds(1), tooMany)
                .decision()
                .desired())
        .as("still within max")
        .isEqualTo(10);

    Autoscaler.Step after =
        a.step(cpu(T0, 0.5), PoolState.of("web", 8), T0.plus(Duration.ofMinutes(11)), double4);
    assertThat(after.record().policy())
        .as("lapsed: the policies decide")
        .isEqualTo("target-tracking");
  }

  @Test
  void scaleRequestsRefuseWhatCannotBeMeant() {
    assertThatThrownBy(() -> ScaleRequest.resolve(0, 4))
        .hasMessageContaining("factor must be > 0, was 0.0");
    assertThatThrownBy(() -> new ScaleRequest(-1, 0, T0, Duration.ofMinutes(1), "ops"))
        .hasMessageContaining("to must be >= 0, was -1");
    assertThatThrownBy(() -> new ScaleRequest(3, 0, T0, Duration.ofDays(8), "ops"))
        .hasMessageContaining("hold must be in (0, 7d], was PT192H");
  }
}
