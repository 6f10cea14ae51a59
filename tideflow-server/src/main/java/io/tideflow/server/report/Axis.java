package io.tideflow.server.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A value range with "nice" ticks (1, 2 or 5 times a power of ten), mapped linearly or
 * logarithmically onto the unit interval. Pure arithmetic; the renderer turns fractions into
 * pixels.
 */
final class Axis {
  private static final double[] NICE = {1, 2, 5};

  private final double min;
  private final double max;
  private final boolean logarithmic;
  private final List<Double> ticks;

  private Axis(double min, double max, boolean logarithmic, List<Double> ticks) {
    this.min = min;
    this.max = max;
    this.logarithmic = logarithmic;
    this.ticks = List.copyOf(ticks);
  }

  /**
   * A linear axis covering {@code [low, high]}, widened outward to whole steps, with about {@code
   * targetTicks} ticks; {@code minStep} keeps counts (nodes) on whole numbers.
   */
  static Axis linear(double low, double high, int targetTicks, double minStep) {
    double step = Math.max(minStep, niceStep(high - low, targetTicks));
    double min = Math.floor(low / step) * step;
    double max = Math.ceil(high / step) * step;
    if (max <= min) {
      max = min + step;
    }
    List<Double> ticks = new ArrayList<>();
    long count = Math.round((max - min) / step);
    for (long i = 0; i <= count; i++) {
      ticks.add(min + i * step);
    }
    return new Axis(min, max, false, ticks);
  }

  /**
   * A logarithmic axis from the largest 1-2-5 value at or below {@code lowestPositive} to the
   * smallest at or above {@code high}. When it spans more than three decades only the powers of ten
   * are ticked, so labels do not collide.
   */
  static Axis logarithmic(double lowestPositive, double high) {
    double min = niceAtOrBelow(lowestPositive);
    double max = Math.max(niceAtOrAbove(high), min * 2);
    boolean decadesOnly = Math.log10(max / min) > 3;
    List<Double> ticks = new ArrayList<>();
    for (int exponent = (int) Math.floor(Math.log10(min)) - 1;
        Math.pow(10, exponent) <= max;
        exponent++) {
      for (double mantissa : decadesOnly ? new double[] {1} : NICE) {
        double tick = mantissa * Math.pow(10, exponent);
        if (tick >= min * (1 - 1e-9) && tick <= max * (1 + 1e-9)) {
          ticks.add(tick);
        }
      }
    }
    return new Axis(min, max, true, ticks);
  }

  /** The 1-2-5 step that cuts {@code span} into about {@code targetTicks} intervals. */
  static double niceStep(double span, int targetTicks) {
    if (!(span > 0)) {
      return 1;
    }
    double raw = span / Math.max(1, targetTicks);
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double mantissa : NICE) {
      if (raw <= mantissa * magnitude * (1 + 1e-9)) {
        return mantissa * magnitude;
      }
    }
    return 10 * magnitude;
  }

  /** Where {@code value} lies between min (0) and max (1); values outside are clamped. */
  double fraction(double value) {
    double f;
    if (logarithmic) {
      double v = Math.max(value, min);
      f = Math.log(v / min) / Math.log(max / min);
    } else {
      f = (value - min) / (max - min);
    }
    return Math.clamp(f, 0.0, 1.0);
  }

  double min() {
    return min;
  }

  double max() {
    return max;
  }

  boolean isLogarithmic() {
    return logarithmic;
  }

  List<Double> ticks() {
    return ticks;
  }

  /** A short tick label: 0.5, 20, 1.5k, 2M. */
  static String label(double value) {
    double abs = Math.abs(value);
    if (abs >= 1_000_000) {
      return trim(value / 1_000_000) + "M";
    }
    if (abs >= 10_000 || (abs >= 1000 && value % 1000 == 0)) {
      return trim(value / 1000) + "k";
    }
    return trim(value);
  }

  private static String trim(double value) {
    if (Math.abs(value - Math.rint(value)) < 1e-9) {
      return Long.toString(Math.round(value));
    }
    String s = String.format(Locale.ROOT, "%.3f", value);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static double niceAtOrBelow(double value) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    double best = magnitude;
    for (double mantissa : NICE) {
      if (mantissa * magnitude <= value * (1 + 1e-9)) {
        best = mantissa * magnitude;
      }
    }
    return best;
  }

  private static double niceAtOrAbove(double value) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (double mantissa : NICE) {
      if (mantissa * magnitude >= value * (1 - 1e-9)) {
        return mantissa * magnitude;
      }
    }
    return 10 * magnitude;
  }
}
