package io.tideflow.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Offered load over time, piecewise linear between points written {@code SECONDS:RATE}, e.g. {@code
 * 0:50,20:1500,30:1500,50:50,60:50}: from 50 tasks/s up to 1,500 over 20 s, held for 10 s, back
 * down by 50 s, held until 60 s.
 */
record LoadProfile(List<Point> points) {

  /** A rate at a time. */
  record Point(double seconds, double rate) {}

  LoadProfile {
    if (points.size() < 2) {
      throw new IllegalArgumentException(
          "a load profile needs at least 2 points, had " + points.size());
    }
    for (int i = 1; i < points.size(); i++) {
      if (points.get(i).seconds() <= points.get(i - 1).seconds()) {
        throw new IllegalArgumentException(
            "load profile times must increase, "
                + points.get(i).seconds()
                + " follows "
                + points.get(i - 1).seconds());
      }
    }
    points = List.copyOf(points);
  }

  static LoadProfile parse(String text) {
    List<Point> points = new ArrayList<>();
    for (String part : text.split(",")) {
      String[] tr = part.trim().split(":");
      if (tr.length != 2) {
        throw new IllegalArgumentException(
            "load profile point '" + part.trim() + "' is not SECONDS:RATE");
      }
      try {
        double t = Double.parseDouble(tr[0]);
        double r = Double.parseDouble(tr[1]);
        if (t < 0 || r < 0 || Double.isNaN(t) || Double.isNaN(r)) {
          throw new IllegalArgumentException(
              "load profile point '" + part.trim() + "' must not be negative");
        }
        points.add(new Point(t, r));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "load profile point '" + part.trim() + "' is not SECONDS:RATE", e);
      }
    }
    return new LoadProfile(points);
  }

  double seconds() {
    return points.getLast().seconds();
  }

  /** The offered rate at {@code t} seconds. */
  double rateAt(double t) {
    if (t <= points.getFirst().seconds()) {
      return points.getFirst().rate();
    }
    for (int i = 1; i < points.size(); i++) {
      Point a = points.get(i - 1);
      Point b = points.get(i);
      if (t <= b.seconds()) {
        return a.rate() + (b.rate() - a.rate()) * (t - a.seconds()) / (b.seconds() - a.seconds());
      }
    }
    return points.getLast().rate();
  }
}
