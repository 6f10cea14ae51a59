package io.tideflow.server.report;

import java.awt.Rectangle;

/**
 * Where things go on a chart of a given size: the title band, the two plot areas sharing the time
 * axis, and the band below them for time labels and the event legend.
 *
 * @param width image width in pixels
 * @param height image height in pixels
 * @param top plot area of offered load, throughput and node count
 * @param bottom plot area of latency
 */
record ChartLayout(int width, int height, Rectangle top, Rectangle bottom) {
  static final int MARGIN_LEFT = 88;
  static final int MARGIN_RIGHT = 80;
  static final int TITLE_BAND = 52;
  static final int PANEL_GAP = 28;
  static final int FOOTER_BAND = 96;

  static ChartLayout of(int width, int height) {
    int plotWidth = width - MARGIN_LEFT - MARGIN_RIGHT;
    int available = height - TITLE_BAND - FOOTER_BAND - PANEL_GAP;
    int topHeight = (int) Math.round(available * 0.58);
    int bottomHeight = available - topHeight;
    Rectangle top = new Rectangle(MARGIN_LEFT, TITLE_BAND, plotWidth, topHeight);
    Rectangle bottom =
        new Rectangle(MARGIN_LEFT, TITLE_BAND + topHeight + PANEL_GAP, plotWidth, bottomHeight);
    return new ChartLayout(width, height, top, bottom);
  }
}
