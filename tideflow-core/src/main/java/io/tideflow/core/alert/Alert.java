package io.tideflow.core.alert;

import java.time.Instant;
import java.util.SortedMap;

/**
 * One alert of one rule for one set of labels, as the last evaluation left it.
 *
 * @param labels the series' labels, the rule's, {@code alertname} and {@code severity}
 * @param state PENDING while the condition has held for less than the rule's {@code for}
 * @param value the condition's value at the last evaluation it held
 * @param activeSince when the condition started to hold
 * @param firingSince when the alert fired, null while pending
 * @param clearedSince when the condition stopped holding while firing, null while it holds
 * @param notified whether its firing was sent (a silenced alert's is not, until the silence ends)
 * @param silencedBy the silence muting it now, null when none
 */
public record Alert(
    AlertRule rule,
    SortedMap<String, String> labels,
    State state,
    double value,
    Instant activeSince,
    Instant firingSince,
    Instant clearedSince,
    boolean notified,
    String silencedBy) {

  /** Where an alert is in its life; a resolved alert leaves the book. */
  public enum State {
    PENDING,
    FIRING
  }

  /** The alert's identity: its rule and labels. */
  public String key() {
    return labels.toString();
  }

  /** The rule's summary with {@code {{ $value }}} and {@code {{ $labels.NAME }}} filled in. */
  public String summary() {
    String s = rule.summary().replace("{{ $value }}", format(value));
    for (var e : labels.entrySet()) {
      s = s.replace("{{ $labels." + e.getKey() + " }}", e.getValue());
    }
    return s;
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(java.util.Locale.ROOT, "%.3g", v);
  }
}
