package io.tideflow.server.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartRendererTest {
  /** The last chart drawn: the test's image and where its panels' data areas are. */
  private ChartRenderer.Drawn layout;

  private BufferedImage png(RunTimeline timeline) throws IOException {
    ChartRenderer renderer = new ChartRenderer();
    layout = renderer.draw(timeline);
    // Through the PNG encoding, as the report has it.
    return ImageIO.read(new ByteArrayInputStream(renderer.renderPng(timeline)));
  }

  /** Pixels within a small distance of the colour; anti-aliased edges blend, line cores do not. */
  private static int pixelsOf(BufferedImage image, Rectangle area, Color colour) {
    int count = 0;
    for (int y = area.y + 1; y < area.getMaxY() - 1; y++) {
      for (int x = area.x + 1; x < area.getMaxX() - 1; x++) {
        Color c = new Color(image.getRGB(x, y));
        int distance =
            Math.abs(c.getRed() - colour.getRed())
                + Math.abs(c.getGreen() - colour.getGreen())
                + Math.abs(c.getBlue() - colour.getBlue());
        if (distance <= 24) {
          count++;
        }
      }
    }
    return count;
  }

  @Test
  void writesAPngThatImageIoReadsBackAtTheStatedSize(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("chart.png");

    new ChartRenderer().writePng(SampleTimelines.rampUpAndDown(), file);
    BufferedImage image = ImageIO.read(file.toFile());

    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(1200);
    assertThat(image.getHeight()).isEqualTo(800);
  }

  @Test
  void rendersTheSizeItWasGiven() {
    BufferedImage image = new ChartRenderer(640, 480).render(SampleTimelines.flat(10));

    assertThat(image.getWidth()).isEqualTo(640);
    assertThat(image.getHeight()).isEqualTo(480);
  }

  @Test
  void drawsLoadThroughputAndNodesInTheTopPanel() throws IOException {
    BufferedImage image = png(SampleTimelines.flat(60));

    for (Color series : new Color[] {Palette.OFFERED, Palette.THROUGHPUT, Palette.NODES}) {
      assertThat(pixelsOf(image, layout.top(), series))
          .as("top panel, %s", series)
          .isGreaterThan(500);
    }
    // The node line's dark grey is close to the text colour, so only the others are checked.
    for (Color series : new Color[] {Palette.OFFERED, Palette.THROUGHPUT}) {
      assertThat(pixelsOf(image, layout.bottom(), series)).as("bottom panel, %s", series).isZero();
    }
  }

  @Test
  void drawsP50AndP99InTheBottomPanelOnly() throws IOException {
    BufferedImage image = png(SampleTimelines.flat(60));

    for (Color series : new Color[] {Palette.P50, Palette.P99}) {
      assertThat(pixelsOf(image, layout.bottom(), series))
          .as("bottom panel, %s", series)
          .isGreaterThan(500);
      assertThat(pixelsOf(image, layout.top(), series)).as("top panel, %s", series).isZero();
    }
  }

  @Test
  void drawsAFlatSeriesAsAHorizontalLineWhereItsValueIs() throws IOException {
    // Load axis of flat(): 0 to the peak with 8 % headroom, 1000 * 1.08.
    BufferedImage image = png(SampleTimelines.flat(60));
    Rectangle top = layout.top();
    int y = (int) Math.round(top.getMaxY() - top.height * 1000.0 / 1080.0);
    Rectangle band = new Rectangle(top.x + top.width / 2, y - 2, top.width / 3, 5);
    int yOf800 = (int) Math.round(top.getMaxY() - top.height * 800.0 / 1080.0);
    Rectangle elsewhere = new Rectangle(band.x, yOf800 - 2, band.width, 5);

    // At least one full row of the band (pixelsOf skips the band's edges) is the line's colour.
    assertThat(pixelsOf(image, band, Palette.OFFERED)).isGreaterThanOrEqualTo(band.width - 2);
    assertThat(pixelsOf(image, elsewhere, Palette.OFFERED)).isZero();
  }

  @Test
  void marksEventsWithDashedLinesInTheirKindsColourAcrossBothPanels() throws IOException {
    RunTimeline timeline =
        RunTimeline.builder("events")
            .point(0, 100, 100, 1, 1, 2)
            .point(100, 100, 100, 1, 1, 2)
            .event(30, RunTimeline.Event.SCALE_UP, "up")
            .event(70, RunTimeline.Event.NODE_KILLED, "killed")
            .build();

    BufferedImage image = png(timeline);

    for (Color kind : new Color[] {Palette.SCALE_UP, Palette.NODE_KILLED}) {
      assertThat(pixelsOf(image, layout.top(), kind)).as("top, %s", kind).isGreaterThan(100);
      assertThat(pixelsOf(image, layout.bottom(), kind)).as("bottom, %s", kind).isGreaterThan(60);
    }
    assertThat(pixelsOf(image, layout.top(), Palette.SCALE_DOWN)).isZero();
  }

  @Test
  void rendersAPlaceholderWithoutSeriesWhenNoPointWasRecorded() throws IOException {
    BufferedImage image = png(RunTimeline.builder("stopped early").build());
    Rectangle plot = layout.top().union(layout.bottom());

    assertThat(image.getWidth()).isEqualTo(1200);
    assertThat(pixelsOf(image, plot, Palette.MUTED_TEXT)).as("placeholder text").isPositive();
    for (Color series : new Color[] {Palette.OFFERED, Palette.P50, Palette.P99}) {
      assertThat(pixelsOf(image, plot, series)).isZero();
    }
  }

  @Test
  void drawsASinglePointAsADotAndEventsBeyondTheLastPoint() throws IOException {
    RunTimeline timeline =
        RunTimeline.builder("one")
            .point(0, 50, 50, 1, 1, 1)
            .event(13, "custom kind", "after the last sample")
            .build();

    BufferedImage image = png(timeline);

    assertThat(pixelsOf(image, layout.top(), Palette.THROUGHPUT)).isPositive();
    assertThat(pixelsOf(image, layout.bottom(), Palette.event("custom kind"))).isPositive();
  }

  @Test
  void runsHeadless() {
    new ChartRenderer();

    assertThat(System.getProperty("java.awt.headless")).isEqualTo("true");
  }

  @Test
  void rejectsSizesTooSmallForItsLabels() {
    assertThatThrownBy(() -> new ChartRenderer(100, 800))
        .hasMessage("width must be >= 480, was 100");
    assertThatThrownBy(() -> new ChartRenderer(1200, 10))
        .hasMessage("height must be >= 360, was 10");
  }
}
