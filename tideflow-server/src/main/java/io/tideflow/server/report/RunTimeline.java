package io.tideflow.server.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What happened during one run, second by second: the input of {@link ChartRenderer}, {@link
 * HtmlReport} and {@link ReportWriter}.
 *
 * <p>An immutable value. Points are strictly increasing in time; events are kept sorted by time
 * (stable, so events of the same second keep the order they were added in); the summary keeps its
 * insertion order. Every number is finite and non-negative, and a rejected value is named in the
 * message together with its index, e.g. {@code points[3].p99Millis must be >= 0, was -1.0}.
 *
 * <pre>{@code
 * RunTimeline timeline = RunTimeline.builder("tideflow demo: ramp 0 -> 4,000 tasks/s")
 *     .point(0, 200, 198, 1, 2.1, 8.5)
 *     .point(1, 400, 395, 1, 2.4, 11.0)
 *     .event(1, RunTimeline.Event.SCALE_UP, "cpu 91% > 75% for 30s: 1 -> 2 nodes")
 *     .summary("submitted", "20,000")
 *     .build();
 * }</pre>
 *
 * @param title shown as the report's heading and the chart's title
 * @param points one sample per second (or per any interval), strictly increasing in time
 * @param events decisions and faults to mark on the chart, sorted by time
 * @param summary key/value lines shown at the top of the report, in insertion order
 */
public record RunTimeline(
    String title, List<Point> points, List<Event> events, Map<String, String> summary) {

  /** Validates and copies; see the type's javadoc for the rules. */
  public RunTimeline {
    Objects.requireNonNull(title, "title");
    if (title.isBlank()) {
      throw new IllegalArgumentException("title must not be blank, was '" + title + "'");
    }
    points = List.copyOf(Objects.requireNonNull(points, "points"));
    for (int i = 1; i < points.size(); i++) {
      double previous = points.get(i - 1).timeSeconds();
      double current = points.get(i).timeSeconds();
      if (current <= previous) {
        throw new IllegalArgumentException(
            "points["
                + i
                + "].timeSeconds must be greater than points["
                + (i - 1)
                + "].timeSeconds ("
                + previous
                + "), was "
                + current);
      }
    }
    List<Event> sorted = new ArrayList<>(Objects.requireNonNull(events, "events"));
    sorted.sort(Comparator.comparingDouble(Event::timeSeconds));
    events = List.copyOf(sorted);
    Objects.requireNonNull(summary, "summary");
    summary.forEach(RunTimeline::checkSummaryLine);
    summary = Collections.unmodifiableMap(new LinkedHashMap<>(summary));
  }

  /** Starts a timeline with the given title. */
  public static Builder builder(String title) {
    return new Builder(title);
  }

  /** Whether no point was recorded; the chart then shows a placeholder instead of axes. */
  public boolean isEmpty() {
    return points.isEmpty();
  }

  /** The last time anything happened: the last point or the last event, 0 if neither. */
  public double endSeconds() {
    double end = points.isEmpty() ? 0 : points.getLast().timeSeconds();
    return events.isEmpty() ? end : Math.max(end, events.getLast().timeSeconds());
  }

  /** Whether any point carries a retried or failed count, so tables show those columns. */
  public boolean hasRetriesOrFailures() {
    return points.stream().anyMatch(p -> p.retried() > 0 || p.failed() > 0);
  }

  private static void checkSummaryLine(String key, String value) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("summary key must not be blank, was '" + key + "'");
    }
    if (value == null) {
      throw new IllegalArgumentException("summary['" + key + "'] must not be null");
    }
  }

  static void requireNonNegative(String field, double value) {
    if (!Double.isFinite(value) || value < 0) {
      throw new IllegalArgumentException(field + " must be finite and >= 0, was " + value);
    }
  }

  static void requireNonNegative(String field, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must be >= 0, was " + value);
    }
  }

  /**
   * One sample of the run.
   *
   * @param timeSeconds offset from the start of the run
   * @param offeredPerSecond tasks per second the load generator submitted
   * @param throughputPerSecond tasks per second that completed
   * @param nodes worker nodes in the pool at that time
   * @param p50Millis median task latency in milliseconds
   * @param p99Millis 99th percentile task latency in milliseconds, at least {@code p50Millis}
   * @param retried tasks retried during the interval (0 when not tracked)
   * @param failed tasks that failed for good during the interval (0 when not tracked)
   */
  public record Point(
      double timeSeconds,
      double offeredPerSecond,
      double throughputPerSecond,
      int nodes,
      double p50Millis,
      double p99Millis,
      long retried,
      long failed) {

    /** Validates every field; see the type's javadoc. */
    public Point {
      requireNonNegative("timeSeconds", timeSeconds);
      requireNonNegative("offeredPerSecond", offeredPerSecond);
      requireNonNegative("throughputPerSecond", throughputPerSecond);
      requireNonNegative("nodes", nodes);
      requireNonNegative("p50Millis", p50Millis);
      requireNonNegative("p99Millis", p99Millis);
      if (p99Millis < p50Millis) {
        throw new IllegalArgumentException(
            "p99Millis must be >= p50Millis (" + p50Millis + "), was " + p99Millis);
      }
      requireNonNegative("retried", retried);
      requireNonNegative("failed", failed);
    }

    /** A sample without retried or failed counts. */
    public Point(
        double timeSeconds,
        double offeredPerSecond,
        double throughputPerSecond,
        int nodes,
        double p50Millis,
        double p99Millis) {
      this(timeSeconds, offeredPerSecond, throughputPerSecond, nodes, p50Millis, p99Millis, 0, 0);
    }
  }

  /**
   * Something to mark on the chart: a scaling decision or an injected fault.
   *
   * @param timeSeconds offset from the start of the run
   * @param kind short category that picks the marker colour, e.g. {@link #SCALE_UP}
   * @param label free text, e.g. the decision's reason; escaped wherever it is shown
   */
  public record Event(double timeSeconds, String kind, String label) {
    /** The autoscaler added nodes. */
    public static final String SCALE_UP = "scale-up";

    /** The autoscaler removed nodes. */
    public static final String SCALE_DOWN = "scale-down";

    /** A node was killed on purpose (chaos) or died. */
    public static final String NODE_KILLED = "node killed";

    /** Validates every field; see the type's javadoc. */
    public Event {
      requireNonNegative("timeSeconds", timeSeconds);
      if (kind == null || kind.isBlank()) {
        throw new IllegalArgumentException("kind must not be blank, was '" + kind + "'");
      }
      Objects.requireNonNull(label, "label");
    }
  }

  /** Collects points, events and summary lines; not thread-safe. */
  public static final class Builder {
    private final String title;
    private final List<Point> points = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final Map<String, String> summary = new LinkedHashMap<>();

    private Builder(String title) {
      this.title = title;
    }

    /** Adds a sample without retried or failed counts. */
    public Builder point(
        double timeSeconds,
        double offeredPerSecond,
        double throughputPerSecond,
        int nodes,
        double p50Millis,
        double p99Millis) {
      return point(
          () ->
              new Point(
                  timeSeconds, offeredPerSecond, throughputPerSecond, nodes, p50Millis, p99Millis));
    }

    /** Adds a sample with retried and failed counts. */
    public Builder point(
        double timeSeconds,
        double offeredPerSecond,
        double throughputPerSecond,
        int nodes,
        double p50Millis,
        double p99Millis,
        long retried,
        long failed) {
      return point(
          () ->
              new Point(
                  timeSeconds,
                  offeredPerSecond,
                  throughputPerSecond,
                  nodes,
                  p50Millis,
                  p99Millis,
                  retried,
                  failed));
    }

    /** Adds a sample built elsewhere. */
    public Builder point(Point point) {
      points.add(Objects.requireNonNull(point, "point"));
      return this;
    }

    /** Adds an event; events may be added in any order. */
    public Builder event(double timeSeconds, String kind, String label) {
      try {
        events.add(new Event(timeSeconds, kind, label));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("events[" + events.size() + "]." + e.getMessage(), e);
      }
      return this;
    }

    /** Adds (or replaces) a summary line; lines keep the order of their first addition. */
    public Builder summary(String key, String value) {
      checkSummaryLine(key, value);
      summary.put(key, value);
      return this;
    }

    /** Validates the whole timeline and returns it. */
    public RunTimeline build() {
      return new RunTimeline(title, points, events, summary);
    }

    private Builder point(Supplier<Point> factory) {
      try {
        points.add(factory.get());
      } catch (IllegalArgumentException e) {
        // Re-thrown with the index, so the caller can find the bad sample.
        throw new IllegalArgumentException("points[" + points.size() + "]." + e.getMessage(), e);
      }
      return this;
    }
  }
}
