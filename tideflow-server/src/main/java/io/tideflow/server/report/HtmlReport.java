package io.tideflow.server.report;

import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Renders a {@link RunTimeline} as one self-contained HTML page: the title, the summary, the chart
 * (embedded as a PNG data URI and linked as a file next to the page), the events in time order, and
 * every sample in a collapsed table. No scripts, external styles or fonts, so it opens offline.
 *
 * <p>All text from the timeline is HTML-escaped. Stateless and thread-safe.
 */
public final class HtmlReport {
  private static final String STYLE =
      """
      body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;\
      margin:24px auto;max-width:1240px;color:#222;padding:0 16px}
      h1{font-size:1.5em;margin:0 0 16px}
      h2{font-size:1.15em;margin:28px 0 8px}
      table{border-collapse:collapse;font-size:14px}
      th,td{border-bottom:1px solid #e3e3e3;padding:4px 12px 4px 0;text-align:left;vertical-align:top}
      td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
      table.summary th{font-weight:600;color:#555}
      figure{margin:0}
      figure img{max-width:100%;height:auto;border:1px solid #ddd}
      figcaption{font-size:13px;color:#555}
      .kind{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
      details summary{cursor:pointer;font-weight:600;margin:28px 0 8px}
      """;

  private HtmlReport() {}

  /**
   * The page as a string.
   *
   * @param timeline what to report
   * @param chartPng the chart from {@link ChartRenderer#renderPng}, embedded as a data URI
   * @param chartFileName the same chart's file name relative to the page, linked for full size
   */
  public static String render(RunTimeline timeline, byte[] chartPng, String chartFileName) {
    Objects.requireNonNull(chartPng, "chartPng");
    Objects.requireNonNull(chartFileName, "chartFileName");
    StringBuilder html = new StringBuilder(16_384 + chartPng.length * 4 / 3);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>")
        .append(escape(timeline.title()))
        .append("</title>\n")
        .append("<style>\n")
        .append(STYLE)
        .append("</style>\n</head>\n<body>\n")
        .append("<h1>")
        .append(escape(timeline.title()))
        .append("</h1>\n");
    appendSummary(html, timeline.summary());
    appendChart(html, chartPng, chartFileName);
    appendEvents(html, timeline.events());
    appendSamples(html, timeline);
    return html.append("</body>\n</html>\n").toString();
  }

  /** Escapes text for use in element content and in quoted attribute values. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static void appendSummary(StringBuilder html, Map<String, String> summary) {
    if (summary.isEmpty()) {
      return;
    }
    html.append("<h2>Summary</h2>\n<table class=\"summary\">\n");
    summary.forEach(
        (key, value) ->
            html.append("<tr><th>")
                .append(escape(key))
                .append("</th><td>")
                .append(escape(value))
                .append("</td></tr>\n"));
    html.append("</table>\n");
  }

  private static void appendChart(StringBuilder html, byte[] png, String fileName) {
    String href = escape(fileName);
    html.append("<h2>Load, nodes and latency over time</h2>\n<figure>\n")
        .append("<img alt=\"offered load, throughput and node count (top); p50 and p99 latency")
        .append(" (bottom); events marked as numbered dashed lines\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png))
        .append("\">\n")
        .append("<figcaption>Numbers above the dashed lines match the events below. ")
        .append("Full size: <a href=\"")
        .append(href)
        .append("\">")
        .append(href)
        .append("</a></figcaption>\n</figure>\n");
  }

  private static void appendEvents(StringBuilder html, List<RunTimeline.Event> events) {
    html.append("<h2>Decisions and events</h2>\n");
    if (events.isEmpty()) {
      html.append("<p>None.</p>\n");
      return;
    }
    html.append("<table class=\"events\">\n<tr><th class=\"num\">#</th>")
        .append("<th class=\"num\">time (s)</th><th>kind</th><th>label</th></tr>\n");
    for (int i = 0; i < events.size(); i++) {
      RunTimeline.Event event = events.get(i);
      html.append("<tr><td class=\"num\">")
          .append(i + 1)
          .append("</td><td class=\"num\">")
          .append(number(event.timeSeconds()))
          .append("</td><td><span class=\"kind\" style=\"")
          .append("background:")
          .append(Palette.hex(Palette.event(event.kind())))
          .append("\"></span>")
          .append(escape(event.kind()))
          .append("</td><td>")
          .append(escape(event.label()))
          .append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  private static void appendSamples(StringBuilder html, RunTimeline timeline) {
    boolean counts = timeline.hasRetriesOrFailures();
    html.append("<details>\n<summary>Per-second samples (")
        .append(timeline.points().size())
        .append(")</summary>\n<table class=\"samples\">\n<tr>");
    List<String> headers =
        List.of(
            "time (s)",
            "offered (tasks/s)",
            "throughput (tasks/s)",
            "nodes",
            "p50 (ms)",
            "p99 (ms)");
    headers.forEach(h -> html.append("<th class=\"num\">").append(h).append("</th>"));
    if (counts) {
      html.append("<th class=\"num\">retried</th><th class=\"num\">failed</th>");
    }
    html.append("</tr>\n");
    for (RunTimeline.Point p : timeline.points()) {
      html.append("<tr>");
      cell(html, number(p.timeSeconds()));
      cell(html, number(p.offeredPerSecond()));
      cell(html, number(p.throughputPerSecond()));
      cell(html, Integer.toString(p.nodes()));
      cell(html, number(p.p50Millis()));
      cell(html, number(p.p99Millis()));
      if (counts) {
        cell(html, Long.toString(p.retried()));
        cell(html, Long.toString(p.failed()));
      }
      html.append("</tr>\n");
    }
    html.append("</table>\n</details>\n");
  }

  private static void cell(StringBuilder html, String value) {
    html.append("<td class=\"num\">").append(value).append("</td>");
  }

  /** Whole numbers without decimals, others with up to two; never locale-dependent. */
  static String number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) value);
    }
    return String.format(Locale.ROOT, "%,.2f", value).replaceAll("\\.?0+$", "");
  }
}
