package io.tideflow.server.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.geom.RoundRectangle2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Draws one plot area: grid, ticks, axis titles, series and markers, mapping values through a time
 * axis and a left (and optionally a right) value axis. One instance per panel per rendering.
 */
final class Panel {
  static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  static final Font AXIS_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
  static final Font LEGEND_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

  /** Room one event's number badge needs, up to three digits. */
  static final int BADGE_WIDTH = 26;

  private static final Stroke GRID_STROKE = new BasicStroke(1f);
  private static final Stroke MARKER_STROKE =
      new BasicStroke(
          1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {7f, 5f}, 0f);

  /** A coloured line in a legend. */
  record LegendEntry(String text, Color colour, Stroke stroke) {}

  private final Graphics2D g;
  private final Rectangle area;
  private final Axis time;
  private final Axis left;

  /** Points along every series drawn so far, so the legend can avoid covering data. */
  private final List<Point2D> drawn = new ArrayList<>();

  Panel(Graphics2D g, Rectangle area, Axis time, Axis left) {
    this.g = g;
    this.area = area;
    this.time = time;
    this.left = left;
  }

  double x(double seconds) {
    return area.x + time.fraction(seconds) * area.width;
  }

  double y(Axis axis, double value) {
    return area.y + area.height - axis.fraction(value) * area.height;
  }

  void background() {
    g.setColor(Palette.BACKGROUND);
    g.fill(area);
    g.setStroke(GRID_STROKE);
    g.setColor(Palette.GRID);
    for (double tick : left.ticks()) {
      g.draw(new Line2D.Double(area.x, y(left, tick), area.getMaxX(), y(left, tick)));
    }
    for (double tick : time.ticks()) {
      g.draw(new Line2D.Double(x(tick), area.y, x(tick), area.getMaxY()));
    }
  }

  void frame() {
    g.setStroke(GRID_STROKE);
    g.setColor(Palette.FRAME);
    g.draw(area);
  }

  void leftTicks(String title) {
    g.setFont(TICK_FONT);
    FontMetrics fm = g.getFontMetrics();
    g.setColor(Palette.TEXT);
    for (double tick : left.ticks()) {
      String text = Axis.label(tick);
      int baseline = (int) Math.round(y(left, tick)) + fm.getAscent() / 2 - 1;
      g.drawString(text, area.x - 8 - fm.stringWidth(text), baseline);
    }
    verticalTitle(title, area.x - 62, -Math.PI / 2);
  }

  void rightTicks(Axis right, String title) {
    g.setFont(TICK_FONT);
    FontMetrics fm = g.getFontMetrics();
    g.setColor(Palette.TEXT);
    for (double tick : right.ticks()) {
      int y = (int) Math.round(y(right, tick));
      g.drawLine((int) area.getMaxX(), y, (int) area.getMaxX() + 5, y);
      g.drawString(Axis.label(tick), (int) area.getMaxX() + 9, y + fm.getAscent() / 2 - 1);
    }
    verticalTitle(title, (int) area.getMaxX() + 50, Math.PI / 2);
  }

  void timeTicks(String title) {
    g.setFont(TICK_FONT);
    FontMetrics fm = g.getFontMetrics();
    g.setColor(Palette.TEXT);
    int baseline = (int) area.getMaxY() + 6 + fm.getAscent();
    for (double tick : time.ticks()) {
      String text = Axis.label(tick);
      g.drawString(text, (int) Math.round(x(tick) - fm.stringWidth(text) / 2.0), baseline);
    }
    g.setFont(AXIS_FONT);
    int width = g.getFontMetrics().stringWidth(title);
    g.drawString(title, (int) area.getCenterX() - width / 2, baseline + 24);
  }

  void line(
      List<RunTimeline.Point> points,
      ToDoubleFunction<RunTimeline.Point> value,
      Axis axis,
      Color colour,
      Stroke stroke) {
    Path2D.Double path = new Path2D.Double();
    for (RunTimeline.Point p : points) {
      double px = x(p.timeSeconds());
      double py = y(axis, value.applyAsDouble(p));
      if (path.getCurrentPoint() == null) {
        path.moveTo(px, py);
      } else {
        remember(path.getCurrentPoint(), px, py);
        path.lineTo(px, py);
      }
    }
    if (points.size() == 1) {
      // A single sample has no segment to stroke; a dot keeps it visible.
      Point2D only = path.getCurrentPoint();
      g.setColor(colour);
      g.fill(new Ellipse2D.Double(only.getX() - 3, only.getY() - 3, 6, 6));
    }
    draw(path, colour, stroke);
  }

  /** A value that holds until the next sample, as a node count does. */
  void step(
      List<RunTimeline.Point> points,
      ToDoubleFunction<RunTimeline.Point> value,
      Axis axis,
      Color colour,
      Stroke stroke) {
    Path2D.Double path = new Path2D.Double();
    for (RunTimeline.Point p : points) {
      double px = x(p.timeSeconds());
      double py = y(axis, value.applyAsDouble(p));
      if (path.getCurrentPoint() == null) {
        path.moveTo(px, py);
      } else {
        double previousY = path.getCurrentPoint().getY();
        remember(path.getCurrentPoint(), px, previousY);
        path.lineTo(px, previousY);
        remember(path.getCurrentPoint(), px, py);
        path.lineTo(px, py);
      }
    }
    if (points.size() == 1) {
      // A single sample has no segment to stroke; a dot keeps it visible.
      Point2D only = path.getCurrentPoint();
      g.setColor(colour);
      g.fill(new Ellipse2D.Double(only.getX() - 3, only.getY() - 3, 6, 6));
    }
    draw(path, colour, stroke);
  }

  void marker(double seconds, Color colour) {
    g.setColor(colour);
    g.setStroke(MARKER_STROKE);
    g.draw(new Line2D.Double(x(seconds), area.y, x(seconds), area.getMaxY()));
  }

  /** A numbered badge above a marker, matching the event's row in the HTML report. */
  void badge(double seconds, int number, Color colour) {
    g.setFont(TICK_FONT.deriveFont(Font.BOLD, 11f));
    FontMetrics fm = g.getFontMetrics();
    String text = Integer.toString(number);
    double w = Math.min(BADGE_WIDTH - 2, Math.max(18, fm.stringWidth(text) + 6));
    double h = 16;
    double bx = x(seconds) - w / 2;
    double by = area.y - h - 3;
    g.setColor(colour);
    g.fill(new RoundRectangle2D.Double(bx, by, w, h, 8, 8));
    g.setColor(Color.WHITE);
    g.drawString(
        text,
        (float) (x(seconds) - fm.stringWidth(text) / 2.0),
        (float) (by + h / 2 + fm.getAscent() / 2.0 - 1.5));
  }

  /** A legend box in the corner of the panel where it covers the fewest drawn points. */
  void legend(List<LegendEntry> entries) {
    g.setFont(LEGEND_FONT);
    FontMetrics fm = g.getFontMetrics();
    int rowHeight = fm.getHeight() + 2;
    int textWidth = entries.stream().mapToInt(e -> fm.stringWidth(e.text())).max().orElse(0);
    Rectangle box = leastCoveringCorner(textWidth + 48, rowHeight * entries.size() + 10);
    g.setColor(new Color(255, 255, 255, 225));
    g.fill(box);
    g.setColor(Palette.GRID.darker());
    g.setStroke(GRID_STROKE);
    g.draw(box);
    int boxX = box.x;
    for (int i = 0; i < entries.size(); i++) {
      LegendEntry entry = entries.get(i);
      int rowY = box.y + 5 + i * rowHeight + rowHeight / 2;
      draw(new Line2D.Double(boxX + 8, rowY, boxX + 32, rowY), entry.colour(), entry.stroke());
      g.setColor(Palette.TEXT);
      g.drawString(entry.text(), boxX + 40, rowY + fm.getAscent() / 2 - 2);
    }
  }

  Rectangle leastCoveringCorner(int width, int height) {
    int inset = 10;
    int leftX = area.x + inset;
    int rightX = (int) area.getMaxX() - inset - width;
    int topY = area.y + inset;
    int bottomY = (int) area.getMaxY() - inset - height;
    // In order of preference when they cover equally many points.
    List<Rectangle> corners =
        List.of(
            new Rectangle(leftX, topY, width, height),
            new Rectangle(rightX, topY, width, height),
            new Rectangle(rightX, bottomY, width, height),
            new Rectangle(leftX, bottomY, width, height));
    return corners.stream().min(Comparator.comparingLong(this::covered)).orElseThrow();
  }

  private long covered(Rectangle box) {
    Rectangle margin = new Rectangle(box.x - 4, box.y - 4, box.width + 8, box.height + 8);
    return drawn.stream().filter(margin::contains).count();
  }

  /** Remembers points every few pixels along a segment, so long segments count too. */
  private void remember(Point2D from, double toX, double toY) {
    double length = from.distance(toX, toY);
    int steps = Math.max(1, (int) Math.ceil(length / 4));
    for (int i = 0; i <= steps; i++) {
      double f = (double) i / steps;
      drawn.add(
          new Point2D.Double(
              from.getX() + f * (toX - from.getX()), from.getY() + f * (toY - from.getY())));
    }
  }

  private void draw(Shape shape, Color colour, Stroke stroke) {
    g.setColor(colour);
    g.setStroke(stroke);
    g.draw(shape);
  }

  private void verticalTitle(String title, int x, double rotation) {
    g.setFont(AXIS_FONT);
    g.setColor(Palette.TEXT);
    int width = g.getFontMetrics().stringWidth(title);
    AffineTransform saved = g.getTransform();
    g.translate(x, area.getCenterY());
    g.rotate(rotation);
    g.drawString(title, -width / 2, 0);
    g.setTransform(saved);
  }
}
