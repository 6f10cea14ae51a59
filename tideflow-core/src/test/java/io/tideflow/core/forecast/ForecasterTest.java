package io.tideflow.core.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ForecasterTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  private static final int DAY = 288;

  /** A day's shape: low at night, a peak in the afternoon. */
  private static double diurnal(long bucket) {
    double phase = 2 * Math.PI * Math.floorMod(bucket, DAY) / DAY;
    return 10 + 8 * Math.sin(phase - Math.PI / 2);
  }

  private static LoadHistory days(int days, double scaleLastDay, double noise, long seed) {
    Random r = new Random(seed);
    LoadHistory h = LoadHistory.days(8);
    for (int i = 0; i < days * DAY; i++) {
      double v = diurnal(i) * (i >= (days - 1) * DAY ? scaleLastDay : 1);
      v = Math.max(0, v + noise * r.nextGaussian());
      h = h.record(T0.plusSeconds(300L * i), v);
    }
    return h;
  }

  @Test
  void onACleanDailyCycleBothForecastTheNextHoursAlmostExactly() {
    LoadHistory h = days(4, 1, 0, 1);
    long newest = h.newestBucket();
    for (Forecaster f : List.of(SeasonalNaive.daily(), HoltWinters.daily())) {
      double[] ahead = f.forecast(h, 36);
      for (int k = 0; k < ahead.length; k++) {
        assertThat(ahead[k])
            .as(f.name() + " at +" + (k + 1))
            .isCloseTo(diurnal(newest + k + 1), within(0.6));
      }
    }
  }

  @Test
  void aBusierDayIsForecastBusierWithTheShapeOfThePastDays() {
    LoadHistory h = days(4, 1.2, 0, 1);
    long newest = h.newestBucket();
    double[] ahead = SeasonalNaive.daily().forecast(h, 12);
    for (int k = 0; k < ahead.length; k++) {
      assertThat(ahead[k]).isCloseTo(1.2 * diurnal(newest + k + 1), within(0.05));
    }
  }

  @Test
  void tooShortAHistoryGivesNoForecastAndSaysWhy() {
    LoadHistory h = days(1, 1, 0, 1);
    assertThat(SeasonalNaive.daily().forecast(h, 3)).isNull();
    assertThat(SeasonalNaive.daily().shortOf(h))
        .contains("288 bucket(s)")
        .contains("a season is 288");
    assertThat(HoltWinters.daily().shortOf(days(1, 1, 0, 1))).contains("two seasons (576)");
    assertThat(HoltWinters.daily().shortOf(days(2, 1, 0, 1))).isNull();
  }

  @Property(tries = 60)
  void forecastsAreFiniteAndNeverNegative(
      @ForAll @Size(min = 1, max = 700) List<@DoubleRange(min = 0, max = 1e6) Double> values,
      @ForAll @IntRange(min = 1, max = 400) int horizon,
      @ForAll @IntRange(min = 0, max = 5) int gapEvery) {
    LoadHistory h = LoadHistory.empty(Duration.ofMinutes(5), 800);
    for (int i = 0; i < values.size(); i++) {
      if (gapEvery > 0 && i % (gapEvery + 2) == 0) {
        continue; // a bucket no sample fell in
      }
      h = h.record(T0.plusSeconds(300L * i), values.get(i));
    }
    for (Forecaster f : List.of(new SeasonalNaive(48, 3, 6), new HoltWinters(48, 0.3, 0.01, 0.2))) {
      double[] out = f.forecast(h, horizon);
      assertThat(out == null).isEqualTo(f.shortOf(h) != null);
      if (out != null) {
        assertThat(out).hasSize(horizon);
        for (double v : out) {
          assertThat(v).isFinite().isGreaterThanOrEqualTo(0);
        }
      }
    }
  }
}
