package io.tideflow.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.forecast.LoadHistory;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoadHistoriesTest {
  @Test
  void aWeekOfBucketsFitsAndReadsBackWithItsGaps() {
    Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
    LoadHistory h = LoadHistory.days(7);
    for (int i = 0; i < 7 * 288; i++) {
      if (i % 50 != 0) {
        h = h.record(t0.plusSeconds(300L * i), i % 288 * 0.5);
      }
    }
    byte[] bytes = LoadHistories.encode(h);
    assertThat(bytes.length).isLessThan(10_000);
    LoadHistory back = LoadHistories.decode("/tideflow/load/web", bytes);
    assertThat(back.size()).isEqualTo(h.size());
    assertThat(back.newestBucket()).isEqualTo(h.newestBucket());
    assertThat(back.mean(h.oldestBucket() + 49)).isNaN(); // i = 50: no sample fell in it
    assertThat(back.mean(h.newestBucket())).isEqualTo(h.mean(h.newestBucket()));
  }

  @Test
  void whatIsNotALoadHistoryIsRefusedNamingTheKey() {
    assertThatThrownBy(
            () ->
                LoadHistories.decode(
                    "/tideflow/load/web", new byte[LoadHistories.MAX_RECORD_BYTES + 1]))
        .hasMessageContaining("/tideflow/load/web")
        .hasMessageContaining("bytes, over");
    assertThatThrownBy(() -> LoadHistories.decode("/tideflow/load/x", new byte[] {-1, 2, 3}))
        .hasMessageContaining("invalid load history at /tideflow/load/x");
    // A record of no shape: no bucket width.
    assertThatThrownBy(() -> LoadHistories.decode("/tideflow/load/y", new byte[0]))
        .hasMessageContaining("bucket must be at least 1 ms");
  }
}
