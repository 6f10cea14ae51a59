package io.tideflow.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.autoscale.DecisionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionLogsTest {

  @Test
  void aLogSurvivesTheStoreKeepingTheNewestFiftyAndFlatteningTabsAndNewlines() {
    List<DecisionRecord> records = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      records.add(
          new DecisionRecord(
              Instant.ofEpochMilli(1_000L * i),
              "web",
              i,
              i + 1,
              "target-tracking",
              "cpu=0.9",
              "reason\twith\ttabs\nand a newline " + i));
    }
    List<DecisionRecord> back = DecisionLogs.decode(DecisionLogs.encode(records));
    assertThat(back).hasSize(DecisionLogs.KEPT);
    assertThat(back.getFirst().current()).isEqualTo(10);
    assertThat(back.getLast().reason()).isEqualTo("reason with tabs and a newline 59");
    assertThat(back.getLast().at()).isEqualTo(Instant.ofEpochMilli(59_000));
  }

  @Test
  void aMalformedLineIsNamed() {
    assertThatThrownBy(() -> DecisionLogs.decode("1\tweb\t1\n".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("decision log line 1 has 3 fields, expected 7");
  }
}
