package io.tideflow.server.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws a {@link RunTimeline} as one PNG with JFreeChart: on top the offered load and the
 * throughput (tasks per second, left axis) and the pool's size (nodes, right axis, as steps); below
 * p50 and p99 task latency on a log axis; every event a dashed line in its kind's colour across
 * both, numbered in time order on top as in the report's table. Headless.
 */
public final class ChartRenderer {
  /** Default image width in pixels. */
  public static final int DEFAULT_WIDTH = 1200;

  /** Default image height in pixels. */
  public static final int DEFAULT_HEIGHT = 800;

  private static final int MIN_WIDTH = 480;
  private static final int MIN_HEIGHT = 360;

  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 19);
  private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
  private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Stroke SERIES =
      new BasicStroke(2.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
  private static final Stroke MARKER =
      new BasicStroke(
          2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {7f, 5f}, 0f);

  static {
    // Drawing needs no display; set before the first AWT class loads.
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

  /**
   * A drawn chart and where its two panels' data areas are in it (for tests that look at pixels).
   */
  record Drawn(BufferedImage image, Rectangle top, Rectangle bottom) {}

  /** Draws the chart into a new RGB image. */
  public BufferedImage render(RunTimeline timeline) {
    return draw(timeline).image();
  }

  Drawn draw(RunTimeline timeline) {
    JFreeChart chart = chart(timeline);
    ChartRenderingInfo info = new ChartRenderingInfo();
    BufferedImage image =
        chart.createBufferedImage(width, height, BufferedImage.TYPE_INT_RGB, info);
    PlotRenderingInfo plot = info.getPlotInfo();
    Rectangle top = area(plot, 0);
    Rectangle bottom = area(plot, 1);
    return new Drawn(image, top, bottom);
  }

  private static Rectangle area(PlotRenderingInfo plot, int subplot) {
    Rectangle2D r =
        plot.getSubplotCount() > subplot
            ? plot.getSubplotInfo(subplot).getDataArea()
            : plot.getDataArea();
    return r.getBounds();
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

  private static JFreeChart chart(RunTimeline timeline) {
    NumberAxis time = new NumberAxis("time since start (s)");
    style(time);
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
    plot.setGap(18);
    plot.setBackgroundPaint(Palette.BACKGROUND);
    plot.setFixedLegendItems(legend(timeline));
    if (timeline.isEmpty()) {
      // A run that stopped early still leaves a report behind, saying why it has no chart.
      plot.add(placeholder(), 1);
    } else {
      plot.add(loadPanel(timeline), 3);
      plot.add(latencyPanel(timeline), 2);
      double start = timeline.points().getFirst().timeSeconds();
      if (!timeline.events().isEmpty()) {
        start = Math.min(start, timeline.events().getFirst().timeSeconds());
      }
      double end = Math.max(start + 1, timeline.endSeconds());
      // A little room past the end, so an event there is not drawn on the frame.
      time.setRange(start, end + (end - start) * 0.02);
    }
    JFreeChart chart = new JFreeChart(null, TITLE_FONT, plot, true);
    chart.setTitle(new TextTitle(timeline.title(), TITLE_FONT));
    chart.setBackgroundPaint(Palette.BACKGROUND);
    chart.setAntiAlias(true);
    return chart;
  }

  private static XYPlot placeholder() {
    XYPlot p =
        new XYPlot(new XYSeriesCollection(), null, new NumberAxis(), new XYLineAndShapeRenderer());
    p.setNoDataMessage("No samples were recorded: nothing to chart.");
    p.setNoDataMessageFont(LABEL_FONT.deriveFont(18f));
    p.setNoDataMessagePaint(Palette.MUTED_TEXT);
    p.getRangeAxis().setVisible(false);
    frame(p);
    return p;
  }

  private static XYPlot loadPanel(RunTimeline timeline) {
    List<RunTimeline.Point> points = timeline.points();
    XYSeriesCollection load = new XYSeriesCollection();
    load.addSeries(series("offered load (tasks/s)", points, RunTimeline.Point::offeredPerSecond));
    load.addSeries(series("throughput (tasks/s)", points, RunTimeline.Point::throughputPerSecond));
    NumberAxis tasks = new NumberAxis("tasks / s");
    style(tasks);
    double most = 0;
    for (RunTimeline.Point pt : points) {
      most = Math.max(most, Math.max(pt.offeredPerSecond(), pt.throughputPerSecond()));
    }
    // Headroom, so the peak does not run along the frame.
    tasks.setRange(0, Math.max(1, most * 1.08));
    XYPlot p = new XYPlot(load, null, tasks, lines(load, Palette.OFFERED, Palette.THROUGHPUT));
    p.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
    XYSeriesCollection nodes = new XYSeriesCollection();
    nodes.addSeries(series("nodes (right axis)", points, p2 -> p2.nodes()));
    NumberAxis nodeAxis = new NumberAxis("nodes");
    style(nodeAxis);
    nodeAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    int nodesMost = points.stream().mapToInt(RunTimeline.Point::nodes).max().orElse(0);
    nodeAxis.setRange(0, nodesMost + 1);
    p.setRangeAxis(1, nodeAxis);
    p.setDataset(1, nodes);
    p.mapDatasetToRangeAxis(1, 1);
    XYStepRenderer step = new XYStepRenderer();
    step.setSeriesPaint(0, Palette.NODES);
    step.setSeriesStroke(0, SERIES);
    step.setDefaultSeriesVisibleInLegend(false);
    p.setRenderer(1, step);
    markers(p, timeline.events(), true);
    frame(p);
    return p;
  }

  private static XYPlot latencyPanel(RunTimeline timeline) {
    List<RunTimeline.Point> points = timeline.points();
    XYSeriesCollection latency = new XYSeriesCollection();
    latency.addSeries(series("p99 latency", points, RunTimeline.Point::p99Millis));
    latency.addSeries(series("p50 latency", points, RunTimeline.Point::p50Millis));
    LogAxis ms = new LogAxis("latency (ms, log)");
    style(ms);
    ms.setSmallestValue(0.01);
    // Milliseconds as numbers, not powers of ten.
    ms.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.#"));
    double lowest = Double.POSITIVE_INFINITY;
    double highest = 0;
    for (RunTimeline.Point pt : points) {
      for (double v : new double[] {pt.p50Millis(), pt.p99Millis()}) {
        if (v > 0) {
          lowest = Math.min(lowest, v);
        }
        highest = Math.max(highest, v);
      }
    }
    if (Double.isInfinite(lowest)) {
      lowest = 0.1;
    }
    // Room below the lowest and above the highest value, so neither runs along the frame.
    ms.setRange(lowest / 1.25, Math.max(highest * 1.25, lowest * 10));
    XYPlot p = new XYPlot(latency, null, ms, lines(latency, Palette.P99, Palette.P50));
    p.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
    markers(p, timeline.events(), false);
    frame(p);
    return p;
  }

  private static XYSeries series(
      String name, List<RunTimeline.Point> points, ToDoubleFunction<RunTimeline.Point> value) {
    XYSeries s = new XYSeries(name, false, true);
    for (RunTimeline.Point p : points) {
      s.add(p.timeSeconds(), value.applyAsDouble(p));
    }
    return s;
  }

  /** Lines in the given colours; a series of one point is drawn as a dot, there is no line. */
  private static XYLineAndShapeRenderer lines(XYSeriesCollection data, Color... colours) {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < colours.length; i++) {
      r.setSeriesPaint(i, colours[i]);
      r.setSeriesStroke(i, SERIES);
      r.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
      r.setSeriesShapesVisible(i, data.getSeries(i).getItemCount() == 1);
    }
    r.setDefaultSeriesVisibleInLegend(false);
    return r;
  }

  private static void markers(XYPlot p, List<RunTimeline.Event> events, boolean numbered) {
    for (int i = 0; i < events.size(); i++) {
      RunTimeline.Event e = events.get(i);
      ValueMarker m = new ValueMarker(e.timeSeconds(), Palette.event(e.kind()), MARKER);
      if (numbered) {
        m.setLabel(Integer.toString(i + 1));
        m.setLabelFont(LABEL_FONT);
        m.setLabelPaint(Palette.event(e.kind()));
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      }
      p.addDomainMarker(m);
    }
  }

  /** One legend for both panels: the series, then each kind of event once. */
  private static LegendItemCollection legend(RunTimeline timeline) {
    LegendItemCollection items = new LegendItemCollection();
    item(items, "offered load (tasks/s)", Palette.OFFERED, SERIES);
    item(items, "throughput (tasks/s)", Palette.THROUGHPUT, SERIES);
    item(items, "nodes (right axis)", Palette.NODES, SERIES);
    item(items, "p99 latency", Palette.P99, SERIES);
    item(items, "p50 latency", Palette.P50, SERIES);
    Set<String> kinds = new LinkedHashSet<>();
    timeline.events().forEach(e -> kinds.add(e.kind()));
    for (String kind : kinds) {
      item(items, kind + " (numbered in time order)", Palette.event(kind), MARKER);
    }
    return items;
  }

  private static void item(LegendItemCollection items, String label, Color colour, Stroke stroke) {
    LegendItem item =
        new LegendItem(
            label,
            null,
            null,
            null,
            false,
            new Rectangle(0, 0, 1, 1),
            false,
            colour,
            false,
            colour,
            stroke,
            true,
            new java.awt.geom.Line2D.Double(-10, 0, 10, 0),
            stroke,
            colour);
    items.add(item);
  }

  private static void style(org.jfree.chart.axis.ValueAxis axis) {
    axis.setLabelFont(LABEL_FONT);
    axis.setTickLabelFont(TICK_FONT);
    axis.setLabelPaint(Palette.TEXT);
    axis.setTickLabelPaint(Palette.MUTED_TEXT);
  }

  private static void frame(XYPlot p) {
    p.setBackgroundPaint(Palette.BACKGROUND);
    p.setDomainGridlinePaint(Palette.GRID);
    p.setRangeGridlinePaint(Palette.GRID);
    p.setOutlinePaint(Palette.FRAME);
  }
}
