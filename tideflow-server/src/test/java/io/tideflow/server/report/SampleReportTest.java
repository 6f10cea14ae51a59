package io.tideflow.server.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the sample report for a human to look at, only when asked:
 * {@code -Dtideflow.report.sample=/some/dir}.
 */
class SampleReportTest {

  @Test
  @EnabledIfSystemProperty(named = "tideflow.report.sample", matches = ".+")
  void writesTheRampSampleWhereAsked() throws Exception {
    Path dir = Path.of(System.getProperty("tideflow.report.sample"));
    assertThat(ReportWriter.write(SampleTimelines.rampUpAndDown(), dir)).allMatch(
        java.nio.file.Files::isRegularFile);
  }
}
