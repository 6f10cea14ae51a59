package io.tideflow.core.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.core.forecast.LoadHistory;
import io.tideflow.core.forecast.SeasonalNaive;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PredictivePolicyTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  private static final int DAY = 288;

  /** Busy nodes' worth of work: 2 at night, 20 at the day's peak, a ramp at 08:00. */
  private static double load(long bucket) {
    int minute = (int) Math.floorMod(bucket, DAY) * 5;
    return minute >= 8 * 60 && minute < 18 * 60 ? 20 : 2;
  }

  private static LoadHistory history(int buckets) {
    LoadHistory h = LoadHistory.days(8);
    for (int i = 0; i < buckets; i++) {
      h = h.record(T0.plusSeconds(300L * i), load(i));
    }
    return h;
  }

  private static final PredictivePolicy POLICY =
      new PredictivePolicy(MetricsWindow.CPU, SeasonalNaive.daily(), 0.7, Duration.ofMinutes(10));

  @Test
  void scalesForTheMorningRampBeforeItArrivesAndSaysWhatItForecast() {
    // Three days, then the third night up to 07:50: the ramp is 10 minutes away.
    int buckets = 3 * DAY + 8 * 12 - 2;
    LoadHistory h = history(buckets);
    Instant now = T0.plusSeconds(300L * buckets);
    PoolState pool = PoolState.of("web", 3).withLoad(h);
    ScalingDecision d = POLICY.decide(MetricsWindow.of(), pool, now);
    assertThat(d.abstains()).isFalse();
    assertThat(d.desired()).isEqualTo(29); // ⌈20 / 0.7⌉
    assertThat(d.reason())
        .contains("seasonal-naive forecast of cpu peaks at 20.00")
        .contains("T08:00:00Z");
    // Target tracking alone sees a quiet night.
    ScalingDecision reactive =
        TargetTrackingPolicy.of(MetricsWindow.CPU, 0.7)
            .decide(
                MetricsWindow.of(new MetricsWindow.Sample(now, Map.of(MetricsWindow.CPU, 0.66))),
                pool,
                now);
    assertThat(reactive.desired()).isLessThan(d.desired());
  }

  @Test
  void looksNoFurtherThanItsLead() {
    // 07:50 with a 5-minute lead: the 07:50 and 07:55 buckets, quiet; the ramp at 08:00 is beyond.
    int buckets = 3 * DAY + 8 * 12 - 2;
    Instant now = T0.plusSeconds(300L * buckets);
    PoolState pool = PoolState.of("web", 3).withLoad(history(buckets));
    PredictivePolicy shortLead =
        new PredictivePolicy(MetricsWindow.CPU, SeasonalNaive.daily(), 0.7, Duration.ofMinutes(5));
    ScalingDecision d = shortLead.decide(MetricsWindow.of(), pool, now);
    assertThat(d.desired()).isEqualTo(3); // ⌈2 / 0.7⌉
    assertThat(d.reason()).contains("peaks at 2.00");
    // A minute later the lead reaches 08:00.
    assertThat(shortLead.decide(MetricsWindow.of(), pool, now.plusSeconds(300)).desired())
        .isEqualTo(29);
  }

  @Test
  void abstainsUntilItHasADayOfHistory() {
    PoolState pool = PoolState.of("web", 3).withLoad(history(DAY));
    ScalingDecision d = POLICY.decide(MetricsWindow.of(), pool, T0.plusSeconds(300L * DAY));
    assertThat(d.abstains()).isTrue();
    assertThat(d.reason()).startsWith("no seasonal-naive forecast yet: the history holds 288");
  }

  @Test
  void theAutoscalerNamesItsOnePredictivePolicy() {
    Autoscaler autoscaler =
        new Autoscaler(
            List.of(TargetTrackingPolicy.of(MetricsWindow.CPU, 0.7), POLICY), PoolLimits.of(1, 50));
    assertThat(autoscaler.predictive()).isSameAs(POLICY);
    assertThat(
            new Autoscaler(List.of(TargetTrackingPolicy.of("cpu", 0.7)), PoolLimits.of(1, 5))
                .predictive())
        .isNull();
  }

  @Test
  void eachStepOfThePoolsReconcilerRecordsThePoolTotalOfTheForecastMetric() {
    PredictivePolicy concurrency =
        new PredictivePolicy(
            PoolReconciler.CONCURRENCY, SeasonalNaive.daily(), 4, Duration.ofMinutes(2));
    PoolReconciler reconciler =
        new PoolReconciler(
            "web",
            new Autoscaler(
                List.of(TargetTrackingPolicy.of(PoolReconciler.CONCURRENCY, 4), concurrency),
                PoolLimits.of(1, 10)),
            Duration.ofSeconds(6),
            Duration.ofMinutes(10),
            io.tideflow.core.retry.Backoff.exponential(
                Duration.ofSeconds(1), Duration.ofSeconds(30)),
            Duration.ZERO,
            Duration.ZERO);
    PoolBook book = PoolBook.empty();
    for (int step = 0; step < 3; step++) {
      Instant now = T0.plusSeconds(15L * step);
      List<PoolObservation.Registered> nodes = new java.util.ArrayList<>();
      List<PoolObservation.Provided> provided = new java.util.ArrayList<>();
      for (String id : List.of("a", "b")) {
        provided.add(new PoolObservation.Provided(id, PoolObservation.Phase.RUNNING));
        nodes.add(
            new PoolObservation.Registered(
                id, io.tideflow.core.model.NodeState.READY, 3 + step, 0.5, -1, -1, T0));
      }
      book =
          reconciler
              .tick(book, new PoolObservation(now, provided, nodes, Map.of(), List.of(), null))
              .book();
    }
    // Tasks in flight over both nodes: 6, 8 and 10 in one five-minute bucket.
    assertThat(book.load().size()).isEqualTo(1);
    assertThat(book.load().mean(book.load().newestBucket())).isEqualTo(8);
  }

  /**
   * With a forecast beside it, the autoscaler never wants fewer nodes than with the reactive policy
   * alone: a wrong forecast costs nodes, not availability.
   */
  @Property(tries = 200)
  void aForecastNeverTakesTheSizeBelowTheReactiveAnswer(
      @ForAll @IntRange(min = 0, max = 4 * DAY) int buckets,
      @ForAll @IntRange(min = 1, max = 60) int current,
      @ForAll @DoubleRange(min = 0, max = 3) double cpu,
      @ForAll @IntRange(min = 0, max = 120) int minutesLater) {
    PoolLimits limits = PoolLimits.of(1, 100);
    TargetTrackingPolicy reactive = TargetTrackingPolicy.of(MetricsWindow.CPU, 0.7);
    Instant now = T0.plusSeconds(300L * buckets + 60L * minutesLater);
    MetricsWindow window =
        MetricsWindow.of(new MetricsWindow.Sample(now, Map.of(MetricsWindow.CPU, cpu)));
    PoolState pool = PoolState.of("web", current).withLoad(history(buckets));
    int alone =
        new Autoscaler(List.of(reactive), limits).step(window, pool, now).decision().desired();
    int both =
        new Autoscaler(List.of(reactive, POLICY), limits)
            .step(window, pool, now)
            .decision()
            .desired();
    assertThat(both).isGreaterThanOrEqualTo(alone);
  }
}
