package io.tideflow.server.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class PanelTest {
  private static final Rectangle AREA = new Rectangle(50, 50, 800, 400);

  private static Rectangle legendAfterDrawing(double... values) {
    BufferedImage image = new BufferedImage(900, 500, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      Axis time = Axis.linear(0, values.length - 1, 10, 0);
      Axis axis = Axis.linear(0, 100, 5, 0);
      Panel panel = new Panel(g, AREA, time, axis);
      RunTimeline.Builder builder = RunTimeline.builder("t");
      for (int t = 0; t < values.length; t++) {
        builder.point(t, values[t], 0, 0, 0, 0);
      }
      panel.line(
          builder.build().points(),
          RunTimeline.Point::offeredPerSecond,
          axis,
          Color.BLUE,
          new BasicStroke(2f));
      return panel.leastCoveringCorner(200, 60);
    } finally {
      g.dispose();
    }
  }

  @Test
  void putsTheLegendTopLeftWhenNothingIsDrawnThere() {
    Rectangle legend = legendAfterDrawing(10, 10, 10, 10);

    assertThat(legend.x).isEqualTo(AREA.x + 10);
    assertThat(legend.y).isEqualTo(AREA.y + 10);
  }

  @Test
  void movesTheLegendToTheTopRightWhenASeriesRunsThroughTheTopLeft() {
    Rectangle legend = legendAfterDrawing(95, 95, 95, 10, 10, 10, 10, 10, 10, 10);

    assertThat(legend.x).isEqualTo((int) AREA.getMaxX() - 10 - 200);
    assertThat(legend.y).isEqualTo(AREA.y + 10);
  }

  @Test
  void movesTheLegendToABottomCornerWhenTheSeriesRunsAlongTheTop() {
    Rectangle legend = legendAfterDrawing(95, 95, 95, 95);

    assertThat(legend.y).isEqualTo((int) AREA.getMaxY() - 10 - 60);
  }
}
