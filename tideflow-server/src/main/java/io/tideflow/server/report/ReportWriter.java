package io.tideflow.server.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the end-of-run report of {@code tideflow demo}: {@value #HTML_FILE} with the chart
 * embedded, and {@value #CHART_FILE} next to it. Existing files of those names are replaced; the
 * directory is created if missing.
 */
public final class ReportWriter {
  /** The page's file name. */
  public static final String HTML_FILE = "report.html";

  /** The chart's file name. */
  public static final String CHART_FILE = "chart.png";

  private ReportWriter() {}

  /**
   * Renders and writes both files with a default-sized chart.
   *
   * @return the paths written, the page first
   */
  public static List<Path> write(RunTimeline timeline, Path dir) throws IOException {
    return write(timeline, dir, new ChartRenderer());
  }

  /**
   * Renders and writes both files with the given renderer.
   *
   * @return the paths written, the page first
   */
  public static List<Path> write(RunTimeline timeline, Path dir, ChartRenderer renderer)
      throws IOException {
    Files.createDirectories(dir);
    byte[] png = renderer.renderPng(timeline);
    Path chart = dir.resolve(CHART_FILE);
    Files.write(chart, png);
    Path html = dir.resolve(HTML_FILE);
    Files.writeString(html, HtmlReport.render(timeline, png, CHART_FILE), StandardCharsets.UTF_8);
    return List.of(html, chart);
  }
}
