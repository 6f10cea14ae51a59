package io.tideflow.bench.cache;

import java.util.List;
import java.util.Locale;

/**
 * The near-tier hit rates of {@link CacheFigures} as a page to look at: grouped bars, W-TinyLFU
 * beside LRU at each cache size, drawn as inline SVG (no script, no external resource).
 */
final class HitRateChart {
  private static final int WIDTH = 720;
  private static final int HEIGHT = 400;
  private static final int LEFT = 60;
  private static final int BOTTOM = 60;
  private static final int TOP = 40;

  /** One cache size: its entries and the hit rate (0..1) of each policy. */
  record Row(long size, double tinyLfu, double lru) {
    Row {
      if (tinyLfu < 0 || tinyLfu > 1 || lru < 0 || lru > 1) {
        throw new IllegalArgumentException(
            "hit rates must be in [0, 1], were " + tinyLfu + " and " + lru);
      }
    }
  }

  private HitRateChart() {}

  static String html(String title, List<Row> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("rows must not be empty");
    }
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            WIDTH,
            HEIGHT));
    int plotHeight = HEIGHT - TOP - BOTTOM;
    int plotWidth = WIDTH - LEFT - 20;
    for (int pct = 0; pct <= 100; pct += 20) {
      double y = TOP + plotHeight * (1 - pct / 100.0);
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d %%</text>%n",
              LEFT,
              y,
              LEFT + plotWidth,
              y,
              LEFT - 6,
              y + 4,
              pct));
    }
    double group = (double) plotWidth / rows.size();
    double bar = group / 3;
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      double x = LEFT + i * group + bar / 2;
      bar(svg, x, bar, r.tinyLfu(), plotHeight, "#2b6cb0");
      bar(svg, x + bar, bar, r.lru(), plotHeight, "#dd6b20");
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%,d entries</text>%n",
              x + bar,
              HEIGHT - BOTTOM + 18,
              r.size()));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"12\" width=\"12\" height=\"12\" fill=\"#2b6cb0\"/><text x=\"%d\" y=\"22\">W-TinyLFU (Caffeine)</text>"
                + "<rect x=\"%d\" y=\"12\" width=\"12\" height=\"12\" fill=\"#dd6b20\"/><text x=\"%d\" y=\"22\">LRU</text>%n",
            LEFT,
            LEFT + 16,
            LEFT + 190,
            LEFT + 206));
    svg.append("</svg>\n");
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
        + escape(title)
        + "</title></head>\n<body><h1>"
        + escape(title)
        + "</h1>\n"
        + svg
        + "</body></html>\n";
  }

  private static void bar(
      StringBuilder svg, double x, double width, double rate, int plotHeight, String color) {
    double h = plotHeight * rate;
    double y = TOP + plotHeight - h;
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%.2f %%</title></rect>"
                + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f</text>%n",
            x,
            y,
            width,
            h,
            color,
            100 * rate,
            x + width / 2,
            y - 4,
            100 * rate));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
