package io.tideflow.bench.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** One panel of lines over time, drawn as SVG for a report page: axes, ticks and a legend. */
public final class SvgPlot {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 260;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 30;
  private static final int BOTTOM = 40;

  private record Series(String name, String colour, double[] x, double[] y, boolean level) {}

  private final String title;
  private final double span;
  private final List<Series> series = new ArrayList<>();

  private final String unit;

  SvgPlot(String title, double span) {
    this(title, span, "s");
  }

  /**
   * A panel over {@code span} units of {@code unit} (the x axis' label, {@code s} or {@code h}).
   */
  public SvgPlot(String title, double span, String unit) {
    this.title = title;
    this.span = Math.max(span, 1);
    this.unit = unit;
  }

  /** A line through one value of each sample, against the sample's seconds. */
  <T extends BenchSample> void line(
      String name, String colour, List<T> samples, ToDoubleFunction<T> value) {
    double[] x = new double[samples.size()];
    double[] y = new double[samples.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = samples.get(i).seconds();
      y[i] = value.applyAsDouble(samples.get(i));
    }
    series.add(new Series(name, colour, x, y, false));
  }

  /** A line through rows of {@code {seconds, value, value, ...}}, taking column {@code column}. */
  public void points(String name, String colour, List<double[]> rows, int column) {
    double[] x = new double[rows.size()];
    double[] y = new double[rows.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = rows.get(i)[0];
      y[i] = rows.get(i)[column];
    }
    series.add(new Series(name, colour, x, y, false));
  }

  /** A dashed horizontal line across the panel, such as a bound. */
  public void level(String name, String colour, double value) {
    series.add(new Series(name, colour, new double[] {0, span}, new double[] {value, value}, true));
  }

  public String svg() {
    double top = 0;
    for (Series s : series) {
      for (double v : s.y()) {
        top = Math.max(top, v);
      }
    }
    double step = niceStep(top <= 0 ? 1 : top * 1.1 / 5);
    double ymax = Math.ceil((top <= 0 ? 1 : top * 1.1) / step) * step;
    double xstep = niceStep(span / 8);
    int w = WIDTH - LEFT - RIGHT;
    int h = HEIGHT - TOP - BOTTOM;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\"><text x=\"%d\" y=\"18\""
                + " font-weight=\"bold\">%s</text>",
            WIDTH,
            HEIGHT,
            LEFT,
            escape(title)));
    for (double v = 0; v <= ymax + step / 2; v += step) {
      double y = TOP + h - v / ymax * h;
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eaeef2\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
              LEFT,
              y,
              LEFT + w,
              y,
              LEFT - 6,
              y + 4,
              label(v)));
    }
    for (double t = 0; t <= span + xstep / 2; t += xstep) {
      double x = LEFT + t / span * w;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s %s</text>",
              x,
              TOP + h + 16,
              label(t),
              unit));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#8c959f\"/>",
            LEFT,
            TOP,
            w,
            h));
    int legend = LEFT;
    for (Series s : series) {
      StringBuilder path = new StringBuilder();
      for (int i = 0; i < s.x().length; i++) {
        path.append(i == 0 ? 'M' : 'L')
            .append(
                String.format(
                    Locale.ROOT,
                    "%.1f,%.1f ",
                    LEFT + s.x()[i] / span * w,
                    TOP + h - Math.min(s.y()[i], ymax) / ymax * h));
      }
      svg.append(
          String.format(
              Locale.ROOT,
              "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s/>",
              path.toString().trim(),
              s.colour(),
              s.level() ? " stroke-dasharray=\"6,4\"" : ""));
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"3\" fill=\"%s\"/>"
                  + "<text x=\"%d\" y=\"%d\">%s</text>",
              legend,
              HEIGHT - 10,
              s.colour(),
              legend + 18,
              HEIGHT - 6,
              escape(s.name())));
      legend += 40 + 7 * s.name().length();
    }
    return svg.append("</svg>").toString();
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * power >= raw) {
        return m * power;
      }
    }
    return 10 * power;
  }

  private static String label(double v) {
    return v == Math.rint(v)
        ? String.format(Locale.ROOT, "%,d", (long) v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** What {@link #line} plots against: a sample taken some seconds into a run. */
  interface BenchSample {
    double seconds();
  }
}
