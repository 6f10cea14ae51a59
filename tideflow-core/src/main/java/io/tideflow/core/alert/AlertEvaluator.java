package io.tideflow.core.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Evaluates alert rules over one set of samples: a pure function of the rules, the samples, the
 * silences, the last {@link AlertBook} and the time, as Prometheus' rule manager does once per
 * evaluation interval. The caller (the leading coordinator) keeps the book and sends the
 * notifications.
 *
 * <p>An alert is PENDING while its condition has held for less than the rule's {@code for}, then
 * FIRING; once the condition clears it stays FIRING for the rule's {@code keep_firing_for}, then
 * resolves — both delays together keep a metric on its threshold from firing and resolving at every
 * evaluation. A silenced alert is evaluated as any other but not sent; if it is still firing when
 * the silence ends, its firing is sent then. A resolution is sent only for a firing that was.
 */
public final class AlertEvaluator {
  /** Alerts one rule may have at once; a rule matching more series is cut to this many. */
  public static final int MAX_ALERTS_PER_RULE = 1000;

  /** Series whose history is kept for rate and increase. */
  public static final int MAX_HISTORY_SERIES = 10_000;

  /** Samples kept per series: at a 1 s interval, 17 minutes. */
  public static final int MAX_POINTS = 1000;

  private AlertEvaluator() {}

  /**
   * The outcome of one evaluation.
   *
   * @param book what the next evaluation starts from
   * @param notifications what to send, in rule order
   * @param truncated the rules whose matches were cut to {@link #MAX_ALERTS_PER_RULE}
   */
  public record Evaluation(
      AlertBook book, List<Notification> notifications, List<String> truncated) {}

  public static Evaluation evaluate(
      List<AlertRule> rules,
      List<Series> samples,
      AlertBook book,
      List<Silence> silences,
      Instant now) {
    Map<String, List<double[]>> history = history(rules, samples, book, now);
    Map<String, Alert> next = new HashMap<>();
    List<Notification> out = new ArrayList<>();
    List<String> truncated = new ArrayList<>();
    Set<String> ruleNames = new HashSet<>();
    long millis = now.toEpochMilli();
    for (AlertRule rule : rules) {
      ruleNames.add(rule.name());
      Map<SortedMap<String, String>, Double> holds =
          rule.query().evaluate(samples, key -> history.getOrDefault(key, List.of()), millis);
      Set<String> seen = new HashSet<>();
      // What holds beyond the cut keeps the state it had: it neither resolves nor fires anew.
      Set<String> beyondCut = new HashSet<>();
      int n = 0;
      for (Map.Entry<SortedMap<String, String>, Double> e : holds.entrySet()) {
        if (++n > MAX_ALERTS_PER_RULE) {
          if (n == MAX_ALERTS_PER_RULE + 1) {
            truncated.add(rule.name());
          }
          beyondCut.add(labels(rule, e.getKey()).toString());
          continue;
        }
        SortedMap<String, String> labels = labels(rule, e.getKey());
        Alert alert =
            holding(rule, labels, e.getValue(), book.alerts().get(labels.toString()), now);
        alert = silenced(alert, silences, now);
        if (alert.state() == Alert.State.FIRING
            && !alert.notified()
            && alert.silencedBy() == null) {
          alert = notified(alert);
          out.add(new Notification(Notification.Kind.FIRING, alert, alert.firingSince()));
        }
        next.put(alert.key(), alert);
        seen.add(alert.key());
      }
      for (Alert before : book.alerts().values()) {
        if (!before.rule().name().equals(rule.name()) || seen.contains(before.key())) {
          continue;
        }
        if (beyondCut.contains(before.key())) {
          next.put(before.key(), before);
          continue;
        }
        Alert after = cleared(before, rule, now);
        if (after == null) {
          if (before.notified()) {
            out.add(new Notification(Notification.Kind.RESOLVED, before, now));
          }
        } else {
          next.put(after.key(), silenced(after, silences, now));
        }
      }
    }
    // A rule taken away resolves what it had fired.
    for (Alert before : book.alerts().values()) {
      if (!ruleNames.contains(before.rule().name()) && before.notified()) {
        out.add(new Notification(Notification.Kind.RESOLVED, before, now));
      }
    }
    return new Evaluation(new AlertBook(next, history), List.copyOf(out), List.copyOf(truncated));
  }

  private static SortedMap<String, String> labels(AlertRule rule, Map<String, String> series) {
    SortedMap<String, String> labels = new TreeMap<>(series);
    labels.putAll(rule.labels());
    labels.put("alertname", rule.name());
    labels.put("severity", rule.severity().label());
    return java.util.Collections.unmodifiableSortedMap(labels);
  }

  /** The alert for a condition that holds now. */
  private static Alert holding(
      AlertRule rule, SortedMap<String, String> labels, double value, Alert before, Instant now) {
    if (before == null) {
      boolean fires = rule.forDuration().isZero();
      return new Alert(
          rule,
          labels,
          fires ? Alert.State.FIRING : Alert.State.PENDING,
          value,
          now,
          fires ? now : null,
          null,
          false,
          null);
    }
    if (before.state() == Alert.State.PENDING) {
      boolean fires =
          !Duration.between(before.activeSince(), now).minus(rule.forDuration()).isNegative();
      return new Alert(
          rule,
          labels,
          fires ? Alert.State.FIRING : Alert.State.PENDING,
          value,
          before.activeSince(),
          fires ? now : null,
          null,
          false,
          null);
    }
    return new Alert(
        rule,
        labels,
        Alert.State.FIRING,
        value,
        before.activeSince(),
        before.firingSince(),
        null,
        before.notified(),
        null);
  }

  /** The alert for a condition that no longer holds; null once it is gone. */
  private static Alert cleared(Alert before, AlertRule rule, Instant now) {
    if (before.state() == Alert.State.PENDING) {
      return null;
    }
    Instant since = before.clearedSince() == null ? now : before.clearedSince();
    if (!Duration.between(since, now).minus(rule.keepFiringFor()).isNegative()) {
      return null;
    }
    return new Alert(
        rule,
        before.labels(),
        before.state(),
        before.value(),
        before.activeSince(),
        before.firingSince(),
        since,
        before.notified(),
        null);
  }

  private static Alert silenced(Alert a, List<Silence> silences, Instant now) {
    for (Silence s : silences) {
      if (s.mutes(a.labels(), now)) {
        return with(a, a.notified(), s.id());
      }
    }
    return a;
  }

  private static Alert notified(Alert a) {
    return with(a, true, a.silencedBy());
  }

  private static Alert with(Alert a, boolean notified, String silencedBy) {
    return new Alert(
        a.rule(),
        a.labels(),
        a.state(),
        a.value(),
        a.activeSince(),
        a.firingSince(),
        a.clearedSince(),
        notified,
        silencedBy);
  }

  /** The samples rate and increase will read: the book's, this evaluation's added, old ones cut. */
  private static Map<String, List<double[]>> history(
      List<AlertRule> rules, List<Series> samples, AlertBook book, Instant now) {
    Set<String> names = new HashSet<>();
    Duration lookback = Duration.ZERO;
    for (AlertRule r : rules) {
      names.addAll(r.query().historyNames());
      if (r.query().lookback().compareTo(lookback) > 0) {
        lookback = r.query().lookback();
      }
    }
    if (names.isEmpty()) {
      return Map.of();
    }
    long millis = now.toEpochMilli();
    long from = millis - lookback.toMillis();
    Map<String, List<double[]>> out = new HashMap<>();
    for (Series s : samples) {
      if (!names.contains(s.name()) || out.size() >= MAX_HISTORY_SERIES) {
        continue;
      }
      List<double[]> points = new ArrayList<>();
      for (double[] p : book.history().getOrDefault(s.key(), List.of())) {
        if (p[0] >= from && p[0] < millis) {
          points.add(p);
        }
      }
      points.add(new double[] {millis, s.value()});
      if (points.size() > MAX_POINTS) {
        points = points.subList(points.size() - MAX_POINTS, points.size());
      }
      out.put(s.key(), List.copyOf(points));
    }
    return out;
  }
}
