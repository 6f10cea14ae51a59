package io.tideflow.bench.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class HitRateChartTest {

  @Test
  void drawsABarPerPolicyAndSizeWithItsValue() {
    List<HitRateChart.Row> rows = new ArrayList<>();
    String md = CacheFigures.hitRates(2_000, 50_000, rows);
    assertThat(rows).hasSize(4);
    // Zipf(0.9) with a frequency-aware admission: W-TinyLFU is not worse than LRU at any size.
    assertThat(rows)
        .allSatisfy(r -> assertThat(r.tinyLfu()).isGreaterThanOrEqualTo(r.lru() - 0.01));
    String html = HitRateChart.html("Hit <rates>", rows);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>Hit &lt;rates&gt;</title>");
    assertThat(html.split("fill=\"#2b6cb0\"><title>", -1)).hasSize(rows.size() + 1);
    assertThat(html.split("fill=\"#dd6b20\"><title>", -1)).hasSize(rows.size() + 1);
    HitRateChart.Row first = rows.getFirst();
    assertThat(html).contains(String.format(Locale.ROOT, "%.2f %%", 100 * first.tinyLfu()));
    assertThat(md).contains("| 250 |");
  }

  @Test
  void rejectsRatesOutsideZeroToOne() {
    assertThatThrownBy(() -> new HitRateChart.Row(10, 1.5, 0.2))
        .hasMessageContaining("hit rates must be in [0, 1]");
    assertThatThrownBy(() -> HitRateChart.html("t", List.of()))
        .hasMessage("rows must not be empty");
  }
}
