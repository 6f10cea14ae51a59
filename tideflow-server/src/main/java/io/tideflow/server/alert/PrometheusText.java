package io.tideflow.server.alert;

import io.tideflow.core.alert.Series;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Prometheus text exposition format — what {@code /metrics} serves — into {@link Series},
 * so rules name metrics exactly as a Prometheus server scraping the node would.
 */
public final class PrometheusText {
  /** Series read from one scrape at most; the rest are left out and counted. */
  public static final int MAX_SERIES = 100_000;

  private PrometheusText() {}

  /**
   * The samples of {@code text}; comment lines and lines that do not parse are skipped.
   *
   * @throws IllegalArgumentException when {@code text} holds more than {@link #MAX_SERIES} samples
   */
  public static List<Series> parse(String text) {
    List<Series> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.charAt(0) == '#') {
        continue;
      }
      Series s = line(line);
      if (s != null) {
        if (out.size() == MAX_SERIES) {
          throw new IllegalArgumentException(
              "the scrape holds more than "
                  + MAX_SERIES
                  + " series: too many to evaluate rules on");
        }
        out.add(s);
      }
    }
    return out;
  }

  private static Series line(String line) {
    int i = 0;
    int n = line.length();
    while (i < n && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new HashMap<>();
    if (i < n && line.charAt(i) == '{') {
      i++;
      while (i < n && line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        if (eq < 0 || eq + 1 >= n || line.charAt(eq + 1) != '"') {
          return null;
        }
        String label = line.substring(i, eq).strip();
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        while (j < n && line.charAt(j) != '"') {
          char c = line.charAt(j++);
          if (c == '\\' && j < n) {
            char e = line.charAt(j++);
            c = e == 'n' ? '\n' : e;
          }
          value.append(c);
        }
        if (j >= n) {
          return null;
        }
        labels.put(label, value.toString());
        i = j + 1;
        if (i < n && line.charAt(i) == ',') {
          i++;
        }
      }
      i++; // the closing brace
    }
    String[] rest = line.substring(Math.min(i, n)).strip().split(" ");
    if (name.isEmpty() || rest.length == 0 || rest[0].isEmpty()) {
      return null;
    }
    double value;
    try {
      value =
          switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(rest[0]);
          };
    } catch (NumberFormatException e) {
      return null; // not a sample line: left out, as a scraper would
    }
    return new Series(name, labels, value);
  }
}
