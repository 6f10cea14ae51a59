package io.tideflow.server.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Renders a {@link RunTimeline} as a PNG chart of two panels sharing the time axis: offered load
 * and throughput (left axis) with the node count as a step line (right axis) on top; p50 and p99
 * latency on a logarithmic axis below. Events are dashed vertical lines across both panels,
 * coloured by kind and numbered in time order, with a legend of kinds under the chart.
 *
 * <p>A timeline without points renders a placeholder that says so, rather than failing: a demo that
 * stopped early should still leave a report behind.
 *
 * <p>Pure rendering with no shared state: an instance may be used from any thread. Loading this
 * class sets {@code java.awt.headless=true} unless the property was already set.
 */
public final class ChartRenderer {
  /** Default image width in pixels. */
  public static final int DEFAULT_WIDTH = 1200;

  /** Default image height in pixels. */
  public static final int DEFAULT_HEIGHT = 800;

  private static final int MIN_WIDTH = 480;
  private static final int MIN_HEIGHT = 360;

  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 19);
  private static final Stroke SERIES =
      new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
  private static final Stroke STEP =
      new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER);
  private static final Stroke MARKER_SWATCH =
      new BasicStroke(
          2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 3f}, 0f);

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private final int width;
  private final int height;

  /** A renderer of {@value #DEFAULT_WIDTH}×{@value #DEFAULT_HEIGHT} images. */
  public ChartRenderer() {
    this(DEFAULT_WIDTH, DEFAULT_HEIGHT);
  }

  /** A renderer of images of the given size, at least 480×360 so labels still fit. */
  public ChartRenderer(int width, int height) {
    if (width < MIN_WIDTH) {
      throw new IllegalArgumentException("width must be >= " + MIN_WIDTH + ", was " + width);
    }
    if (height < MIN_HEIGHT) {
      throw new IllegalArgumentException("height must be >= " + MIN_HEIGHT + ", was " + height);
    }
    this.width = width;
    this.height = height;
  }

  /** Draws the chart into a new RGB image. */
  public BufferedImage render(RunTimeline timeline) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      configure(g);
      g.setColor(Palette.BACKGROUND);
      g.fillRect(0, 0, width, height);
      drawTitle(g, timeline.title());
      ChartLayout layout = ChartLayout.of(width, height);
      if (timeline.isEmpty()) {
        drawPlaceholder(g, layout);
      } else {
        drawCharts(g, layout, timeline);
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  /** The chart encoded as PNG. */
  public byte[] renderPng(RunTimeline timeline) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(render(timeline), "png", out)) {
        throw new IllegalStateException("this JDK has no PNG encoder");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("encoding the chart as PNG failed", e);
    }
    return out.toByteArray();
  }

  /** Writes the chart as PNG to {@code file}, replacing it if it exists. */
  public void writePng(RunTimeline timeline, Path file) throws IOException {
    Files.write(file, renderPng(timeline));
  }

  private static void configure(Graphics2D g) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
  }

  private void drawTitle(Graphics2D g, String title) {
    g.setFont(TITLE_FONT);
    g.setColor(Palette.TEXT);
    FontMetrics fm = g.getFontMetrics();
    g.drawString(title, ChartLayout.MARGIN_LEFT, 6 + fm.getAscent());
  }

  private static void drawPlaceholder(Graphics2D g, ChartLayout layout) {
    Rectangle area = layout.top().union(layout.bottom());
    g.setColor(new Color(0xF6F6F6));
    g.fill(area);
    g.setColor(Palette.FRAME);
    g.draw(area);
    g.setFont(Panel.AXIS_FONT.deriveFont(18f));
    String text = "No samples were recorded: nothing to chart.";
    int textWidth = g.getFontMetrics().stringWidth(text);
    g.setColor(Palette.MUTED_TEXT);
    g.drawString(text, (int) area.getCenterX() - textWidth / 2, (int) area.getCenterY());
  }

  private static void drawCharts(Graphics2D g, ChartLayout layout, RunTimeline timeline) {
    Axis time = timeAxis(timeline);
    drawLoadPanel(new Panel(g, layout.top(), time, loadAxis(timeline)), timeline);
    drawLatencyPanel(new Panel(g, layout.bottom(), time, latencyAxis(timeline)), timeline);
    drawEventLegend(g, layout, timeline.events());
  }

  private static void drawLoadPanel(Panel panel, RunTimeline timeline) {
    List<RunTimeline.Point> points = timeline.points();
    Axis load = loadAxis(timeline);
    Axis nodes = nodeAxis(timeline);
    panel.background();
    drawMarkers(panel, timeline.events(), true);
    panel.step(points, RunTimeline.Point::nodes, nodes, Palette.NODES, STEP);
    panel.line(points, RunTimeline.Point::offeredPerSecond, load, Palette.OFFERED, SERIES);
    panel.line(points, RunTimeline.Point::throughputPerSecond, load, Palette.THROUGHPUT, SERIES);
    panel.frame();
    panel.leftTicks("tasks / s");
    panel.rightTicks(nodes, "nodes");
    panel.legend(
        List.of(
            new Panel.LegendEntry("offered load (tasks/s)", Palette.OFFERED, SERIES),
            new Panel.LegendEntry("throughput (tasks/s)", Palette.THROUGHPUT, SERIES),
            new Panel.LegendEntry("nodes (right axis)", Palette.NODES, STEP)));
  }

  private static void drawLatencyPanel(Panel panel, RunTimeline timeline) {
    List<RunTimeline.Point> points = timeline.points();
    Axis latency = latencyAxis(timeline);
    panel.background();
    drawMarkers(panel, timeline.events(), false);
    panel.line(points, RunTimeline.Point::p99Millis, latency, Palette.P99, SERIES);
    panel.line(points, RunTimeline.Point::p50Millis, latency, Palette.P50, SERIES);
    panel.frame();
    panel.leftTicks("latency (ms, log)");
    panel.timeTicks("time since start (s)");
    panel.legend(
        List.of(
            new Panel.LegendEntry("p99 latency", Palette.P99, SERIES),
            new Panel.LegendEntry("p50 latency", Palette.P50, SERIES)));
  }

  private static void drawMarkers(Panel panel, List<RunTimeline.Event> events, boolean badges) {
    double lastBadgeX = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < events.size(); i++) {
      RunTimeline.Event event = events.get(i);
      Color colour = Palette.event(event.kind());
      panel.marker(event.timeSeconds(), colour);
      // Badges that would overlap the previous one are left out rather than drawn illegibly;
      // the HTML table still numbers every event.
      double x = panel.x(event.timeSeconds());
      if (badges && x - lastBadgeX >= Panel.BADGE_WIDTH) {
        panel.badge(event.timeSeconds(), i + 1, colour);
        lastBadgeX = x;
      }
    }
  }

  private static void drawEventLegend(
      Graphics2D g, ChartLayout layout, List<RunTimeline.Event> events) {
    Set<String> kinds = new LinkedHashSet<>();
    events.forEach(e -> kinds.add(e.kind()));
    if (kinds.isEmpty()) {
      return;
    }
    g.setFont(Panel.LEGEND_FONT);
    FontMetrics fm = g.getFontMetrics();
    int baseline = layout.height() - 14;
    int x = layout.bottom().x;
    g.setColor(Palette.MUTED_TEXT);
    String intro = "events (numbered in time order):";
    g.drawString(intro, x, baseline);
    x += fm.stringWidth(intro) + 14;
    for (String kind : kinds) {
      g.setColor(Palette.event(kind));
      g.setStroke(MARKER_SWATCH);
      int mid = baseline - fm.getAscent() / 2 + 1;
      g.drawLine(x, mid, x + 24, mid);
      g.setColor(Palette.TEXT);
      g.drawString(kind, x + 30, baseline);
      x += 30 + fm.stringWidth(kind) + 22;
    }
  }

  private static Axis timeAxis(RunTimeline timeline) {
    double start = timeline.points().getFirst().timeSeconds();
    if (!timeline.events().isEmpty()) {
      start = Math.min(start, timeline.events().getFirst().timeSeconds());
    }
    return Axis.linear(start, timeline.endSeconds(), 10, 0);
  }

  private static Axis loadAxis(RunTimeline timeline) {
    double max = 0;
    for (RunTimeline.Point p : timeline.points()) {
      max = Math.max(max, Math.max(p.offeredPerSecond(), p.throughputPerSecond()));
    }
    // Headroom, so the peak does not run along the frame.
    return Axis.linear(0, max * 1.08, 6, 0);
  }

  private static Axis nodeAxis(RunTimeline timeline) {
    int max = timeline.points().stream().mapToInt(RunTimeline.Point::nodes).max().orElse(0);
    return Axis.linear(0, max + 1, 6, 1);
  }

  private static Axis latencyAxis(RunTimeline timeline) {
    List<Double> values = new ArrayList<>();
    for (RunTimeline.Point p : timeline.points()) {
      values.add(p.p50Millis());
      values.add(p.p99Millis());
    }
    double lowest =
        values.stream().mapToDouble(Double::doubleValue).filter(v -> v > 0).min().orElse(0.1);
    double highest = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
    // Some room below the lowest and above the highest value, so neither runs along the frame.
    return Axis.logarithmic(lowest / 1.25, Math.max(highest * 1.25, lowest * 10));
  }
}
