package io.tideflow.core.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoadHistoryTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  @Test
  void samplesInOneBucketAreAveragedAndAGapLeavesBucketsMissing() {
    LoadHistory h =
        LoadHistory.empty(Duration.ofMinutes(5), 10)
            .record(T0, 2)
            .record(T0.plusSeconds(60), 4)
            .record(T0.plusSeconds(15 * 60), 9);
    long first = h.bucketOf(T0);
    assertThat(h.size()).isEqualTo(4);
    assertThat(h.mean(first)).isEqualTo(3);
    assertThat(h.mean(first + 1)).isNaN();
    assertThat(h.mean(first + 2)).isNaN();
    assertThat(h.mean(first + 3)).isEqualTo(9);
    assertThat(h.newestBucket()).isEqualTo(first + 3);
    assertThat(h.startOf(first)).isEqualTo(T0);
  }

  @Test
  void theOldestBucketsGoPastTheCapacityAndALongGapEmptiesIt() {
    LoadHistory h = LoadHistory.empty(Duration.ofMinutes(1), 3);
    for (int i = 0; i < 5; i++) {
      h = h.record(T0.plusSeconds(60L * i), i);
    }
    assertThat(h.size()).isEqualTo(3);
    assertThat(h.oldestBucket()).isEqualTo(h.bucketOf(T0) + 2);
    assertThat(h.mean(h.oldestBucket())).isEqualTo(2);
    LoadHistory later = h.record(T0.plusSeconds(3600), 7);
    assertThat(later.size()).isEqualTo(3);
    assertThat(later.mean(later.newestBucket())).isEqualTo(7);
    assertThat(later.mean(later.newestBucket() - 1)).isNaN();
    // Immutable: the history recorded into is unchanged.
    assertThat(h.mean(h.newestBucket())).isEqualTo(4);
  }

  @Test
  void aHistoryRestoredFromItsMeansForecastsAsTheOriginalDoes() {
    LoadHistory h = LoadHistory.empty(Duration.ofMinutes(5), 600);
    for (int i = 0; i < 580; i++) {
      if (i % 7 != 3) {
        h = h.record(T0.plusSeconds(300L * i), 10 + Math.sin(i / 20.0) * 5);
      }
    }
    LoadHistory back = LoadHistory.restore(h.bucket(), h.capacity(), h.newestBucket(), h.means());
    assertThat(back.means()).containsExactly(h.means());
    assertThat(back.mean(back.newestBucket() - 2)).isNaN();
    assertThat(new SeasonalNaive(288, 2, 12).forecast(back, 24))
        .containsExactly(new SeasonalNaive(288, 2, 12).forecast(h, 24));
    assertThatThrownBy(
            () ->
                LoadHistory.restore(
                    Duration.ofMinutes(5), 10, 5, new double[] {1, Double.NEGATIVE_INFINITY}))
        .hasMessageContaining("finite");
    assertThat(LoadHistory.restore(Duration.ofMinutes(5), 2, 9, new double[] {1, 2, 3}).means())
        .containsExactly(2, 3);
  }

  @Test
  void badSamplesAndShapesAreRefusedNamingTheProblem() {
    LoadHistory h = LoadHistory.empty(Duration.ofMinutes(5), 4).record(T0.plusSeconds(600), 1);
    assertThatThrownBy(() -> h.record(T0, 1)).hasMessageContaining("older than the newest bucket");
    assertThatThrownBy(() -> h.record(T0.plusSeconds(600), -1)).hasMessageContaining(">= 0");
    assertThatThrownBy(() -> h.record(T0.plusSeconds(600), Double.NaN))
        .hasMessageContaining("finite");
    assertThatThrownBy(() -> LoadHistory.empty(Duration.ZERO, 4)).hasMessageContaining("bucket");
    assertThatThrownBy(() -> LoadHistory.empty(Duration.ofMinutes(5), LoadHistory.MAX_CAPACITY + 1))
        .hasMessageContaining("capacity");
  }
}
