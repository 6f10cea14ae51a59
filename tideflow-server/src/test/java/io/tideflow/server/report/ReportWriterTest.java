package io.tideflow.server.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  @Test
  void writesTheHtmlPageAndTheChartIntoTheDirectoryCreatingIt(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("runs/demo-1");

    List<Path> written = ReportWriter.write(SampleTimelines.rampUpAndDown(), dir);

    assertThat(written).containsExactly(dir.resolve("report.html"), dir.resolve("chart.png"));
    BufferedImage chart = ImageIO.read(dir.resolve("chart.png").toFile());
    assertThat(chart.getWidth()).isEqualTo(1200);
    assertThat(chart.getHeight()).isEqualTo(800);
    assertThat(Files.readString(dir.resolve("report.html")))
        .contains("<a href=\"chart.png\">", "data:image/png;base64,", "<th>submitted</th>");
  }

  @Test
  void writesAReportForARunThatRecordedNothing(@TempDir Path dir) throws Exception {
    List<Path> written = ReportWriter.write(RunTimeline.builder("nothing").build(), dir);

    assertThat(written).allMatch(Files::isRegularFile);
    assertThat(Files.readString(written.getFirst())).contains("Per-second samples (0)");
  }
}
