package io.tideflow.core.alert;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A condition on the cluster's metrics that, held for {@code forDuration}, fires an alert, and,
 * cleared for {@code keepFiringFor}, resolves it — the two delays that keep a flapping metric from
 * paging anyone twice a minute. The fields are those of a Prometheus alerting rule, so a rule reads
 * and exports the same.
 *
 * @param name the alert's name ({@code alertname}), a Prometheus metric-like identifier
 * @param query the condition
 * @param forDuration how long the condition must hold before the alert fires (0: at once)
 * @param keepFiringFor how long a firing alert stays firing after the condition cleared
 * @param severity its urgency, given as the {@code severity} label
 * @param labels added to each of its alerts (must not set {@code alertname} or {@code severity})
 * @param summary what a person reads; {@code {{ $value }}} and {@code {{ $labels.NAME }}} are
 *     filled in
 */
public record AlertRule(
    String name,
    AlertQuery query,
    Duration forDuration,
    Duration keepFiringFor,
    Severity severity,
    Map<String, String> labels,
    String summary) {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** The longest {@code for} or {@code keep_firing_for}: beyond it a rule is a mistake. */
  public static final Duration MAX_DELAY = Duration.ofDays(1);

  public AlertRule {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "alert name must be letters, digits and _ not starting with a digit, was '" + name + "'");
    }
    if (query == null || severity == null) {
      throw new IllegalArgumentException("alert " + name + ": query and severity must be given");
    }
    forDuration = delay(name, "for", forDuration);
    keepFiringFor = delay(name, "keep_firing_for", keepFiringFor);
    labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    for (String reserved : new String[] {"alertname", "severity"}) {
      if (labels.containsKey(reserved)) {
        throw new IllegalArgumentException(
            "alert " + name + ": label " + reserved + " is set by the rule itself");
      }
    }
    summary = summary == null ? "" : summary;
  }

  private static Duration delay(String name, String field, Duration d) {
    if (d == null) {
      return Duration.ZERO;
    }
    if (d.isNegative() || d.compareTo(MAX_DELAY) > 0) {
      throw new IllegalArgumentException(
          "alert " + name + ": " + field + " must be in [0, 1d], was " + d);
    }
    return d;
  }

  /** A rule firing as soon as {@code expression} holds and resolving as soon as it clears. */
  public static AlertRule of(String name, String expression, Severity severity, String summary) {
    return new AlertRule(
        name,
        AlertQuery.parse(expression),
        Duration.ZERO,
        Duration.ZERO,
        severity,
        Map.of(),
        summary);
  }

  public AlertRule withFor(Duration d) {
    return new AlertRule(name, query, d, keepFiringFor, severity, labels, summary);
  }

  public AlertRule withKeepFiringFor(Duration d) {
    return new AlertRule(name, query, forDuration, d, severity, labels, summary);
  }
}
