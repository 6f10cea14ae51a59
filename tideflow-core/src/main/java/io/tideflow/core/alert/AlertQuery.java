package io.tideflow.core.alert;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An alert rule's condition, in the part of PromQL that alert rules mostly use — so the same text
 * runs here and, exported, in Prometheus:
 *
 * <pre>
 * condition  := comparison ("and" comparison)*
 * comparison := value (">" | ">=" | "<" | "<=" | "==" | "!=") number
 * value      := selector
 *             | ("rate" | "increase") "(" selector "[" duration "]" ")"
 *             | ("sum" | "min" | "max" | "avg" | "count") ["by" "(" label, ... ")"] "(" value ")"
 * selector   := metric ["{" label ("=" | "!=") "string", ... "}"]
 * </pre>
 *
 * A comparison keeps the series for which it holds; {@code and} keeps the left side's series whose
 * labels a right side's series has too. An empty result means the condition does not hold. {@code
 * increase} is the rise over the window's samples without Prometheus' extrapolation to the window's
 * edges (so it is never more than Prometheus says); both read through counter resets.
 */
public final class AlertQuery {
  /** The longest condition accepted. */
  public static final int MAX_CHARS = 2000;

  /** The longest window rate and increase read: the history they need is kept in memory. */
  public static final Duration MAX_WINDOW = Duration.ofDays(7);

  private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "count");

  private final String text;
  private final Node root;

  private AlertQuery(String text, Node root) {
    this.text = text;
    this.root = root;
  }

  /**
   * Reads {@code text}.
   *
   * @throws IllegalArgumentException naming the column and what was expected there
   */
  public static AlertQuery parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("expression must not be blank");
    }
    if (text.length() > MAX_CHARS) {
      throw new IllegalArgumentException(
          "expression is " + text.length() + " characters, more than " + MAX_CHARS);
    }
    Parser p = new Parser(text);
    Node root = p.condition();
    p.end();
    return new AlertQuery(text.strip(), root);
  }

  public String text() {
    return text;
  }

  /** How far back {@code rate} and {@code increase} look; zero when they are not used. */
  public Duration lookback() {
    return root.lookback();
  }

  /** The metric names whose history {@code rate} and {@code increase} read. */
  public Set<String> historyNames() {
    Set<String> names = new HashSet<>();
    root.historyNames(names);
    return names;
  }

  /** Earlier samples of a series, for {@code rate} and {@code increase}. */
  public interface History {
    /**
     * The samples of the series with {@code key} ({@link Series#key()}), oldest first, the current
     * one last; {@code times} in epoch milliseconds.
     */
    List<double[]> points(String key);
  }

  /**
   * The series for which the condition holds in {@code now}, by their labels, with the value of the
   * condition's first comparison.
   */
  public Map<SortedMap<String, String>, Double> evaluate(
      List<Series> now, History history, long nowMillis) {
    return Collections.unmodifiableMap(root.eval(new Context(now, history, nowMillis)));
  }

  @Override
  public String toString() {
    return text;
  }

  private record Context(List<Series> now, History history, long nowMillis) {}

  private sealed interface Node permits Selector, Range, Aggregate, Compare, And {
    Map<SortedMap<String, String>, Double> eval(Context ctx);

    default Duration lookback() {
      return Duration.ZERO;
    }

    default void historyNames(Set<String> names) {}
  }

  private record Matcher(String label, boolean equal, String value) {
    boolean matches(Map<String, String> labels) {
      return equal == value.equals(labels.getOrDefault(label, ""));
    }
  }

  private record Selector(String name, List<Matcher> matchers) implements Node {
    boolean matches(Series s) {
      if (!s.name().equals(name)) {
        return false;
      }
      for (Matcher m : matchers) {
        if (!m.matches(s.labels())) {
          return false;
        }
      }
      return true;
    }

    @Override
    public Map<SortedMap<String, String>, Double> eval(Context ctx) {
      Map<SortedMap<String, String>, Double> out = new LinkedHashMap<>();
      for (Series s : ctx.now()) {
        if (matches(s)) {
          out.put(new TreeMap<>(s.labels()), s.value());
        }
      }
      return out;
    }
  }

  private record Range(boolean rate, Selector selector, Duration window) implements Node {
    @Override
    public Map<SortedMap<String, String>, Double> eval(Context ctx) {
      Map<SortedMap<String, String>, Double> out = new LinkedHashMap<>();
      long from = ctx.nowMillis() - window.toMillis();
      for (Series s : ctx.now()) {
        if (!selector.matches(s)) {
          continue;
        }
        double rise = 0;
        double previous = Double.NaN;
        long first = -1;
        long last = -1;
        for (double[] point : ctx.history().points(s.key())) {
          long t = (long) point[0];
          if (t < from) {
            continue;
          }
          double v = point[1];
          if (first < 0) {
            first = t;
          } else {
            // A counter that went down was reset: it counted v since.
            rise += v >= previous ? v - previous : v;
          }
          previous = v;
          last = t;
        }
        if (first >= 0 && last > first) {
          out.put(new TreeMap<>(s.labels()), rate ? rise * 1000.0 / (last - first) : rise);
        }
      }
      return out;
    }

    @Override
    public Duration lookback() {
      return window;
    }

    @Override
    public void historyNames(Set<String> names) {
      names.add(selector.name());
    }
  }

  private record Aggregate(String op, List<String> by, Node inner) implements Node {
    @Override
    public Map<SortedMap<String, String>, Double> eval(Context ctx) {
      Map<SortedMap<String, String>, double[]> groups = new LinkedHashMap<>();
      for (Map.Entry<SortedMap<String, String>, Double> e : inner.eval(ctx).entrySet()) {
        SortedMap<String, String> group = new TreeMap<>();
        for (String label : by) {
          String v = e.getKey().get(label);
          if (v != null) {
            group.put(label, v);
          }
        }
        double v = e.getValue();
        double[] acc = groups.get(group);
        if (acc == null) {
          groups.put(group, new double[] {v, v, v, 1});
        } else {
          acc[0] += v;
          acc[1] = Math.min(acc[1], v);
          acc[2] = Math.max(acc[2], v);
          acc[3]++;
        }
      }
      Map<SortedMap<String, String>, Double> out = new LinkedHashMap<>();
      for (Map.Entry<SortedMap<String, String>, double[]> g : groups.entrySet()) {
        double[] a = g.getValue();
        double v =
            switch (op) {
              case "sum" -> a[0];
              case "min" -> a[1];
              case "max" -> a[2];
              case "avg" -> a[0] / a[3];
              default -> a[3]; // count
            };
        out.put(g.getKey(), v);
      }
      return out;
    }

    @Override
    public Duration lookback() {
      return inner.lookback();
    }

    @Override
    public void historyNames(Set<String> names) {
      inner.historyNames(names);
    }
  }

  private record Compare(Node value, String op, double threshold) implements Node {
    @Override
    public Map<SortedMap<String, String>, Double> eval(Context ctx) {
      Map<SortedMap<String, String>, Double> out = new LinkedHashMap<>();
      for (Map.Entry<SortedMap<String, String>, Double> e : value.eval(ctx).entrySet()) {
        double v = e.getValue();
        boolean holds =
            switch (op) {
              case ">" -> v > threshold;
              case ">=" -> v >= threshold;
              case "<" -> v < threshold;
              case "<=" -> v <= threshold;
              case "==" -> v == threshold;
              default -> v != threshold && !Double.isNaN(v);
            };
        if (holds) {
          out.put(e.getKey(), v);
        }
      }
      return out;
    }

    @Override
    public Duration lookback() {
      return value.lookback();
    }

    @Override
    public void historyNames(Set<String> names) {
      value.historyNames(names);
    }
  }

  private record And(Node left, Node right) implements Node {
    @Override
    public Map<SortedMap<String, String>, Double> eval(Context ctx) {
      Map<SortedMap<String, String>, Double> l = left.eval(ctx);
      if (l.isEmpty()) {
        return l;
      }
      Set<SortedMap<String, String>> r = right.eval(ctx).keySet();
      Map<SortedMap<String, String>, Double> out = new LinkedHashMap<>();
      for (Map.Entry<SortedMap<String, String>, Double> e : l.entrySet()) {
        if (r.contains(e.getKey())) {
          out.put(e.getKey(), e.getValue());
        }
      }
      return out;
    }

    @Override
    public Duration lookback() {
      Duration a = left.lookback();
      Duration b = right.lookback();
      return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public void historyNames(Set<String> names) {
      left.historyNames(names);
      right.historyNames(names);
    }
  }

  /** A recursive-descent reader of the grammar above; every error names its column. */
  private static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s;
    }

    Node condition() {
      Node left = comparison();
      while (peekWord("and")) {
        word();
        left = new And(left, comparison());
      }
      return left;
    }

    void end() {
      skip();
      if (i < s.length()) {
        throw error("the end or 'and'");
      }
    }

    private Node comparison() {
      Node value = value();
      skip();
      String op = null;
      for (String candidate : List.of(">=", "<=", "==", "!=", ">", "<")) {
        if (s.startsWith(candidate, i)) {
          op = candidate;
          break;
        }
      }
      if (op == null) {
        throw error("a comparison (>, >=, <, <=, ==, !=)");
      }
      i += op.length();
      return new Compare(value, op, number());
    }

    private Node value() {
      int at = i;
      String w = word();
      if (AGGREGATIONS.contains(w)) {
        List<String> by = byClause();
        expect('(');
        Node inner = value();
        expect(')');
        if (by.isEmpty()) {
          by = byClause();
        }
        return new Aggregate(w, by, inner);
      }
      if (w.equals("rate") || w.equals("increase")) {
        expect('(');
        Selector selector = selector(word());
        expect('[');
        Duration window = duration();
        expect(']');
        expect(')');
        return new Range(w.equals("rate"), selector, window);
      }
      if (w.isEmpty()) {
        i = at;
        throw error(
            "a metric name, rate(, increase( or an aggregation (sum, min, max, avg, count)");
      }
      return selector(w);
    }

    private List<String> byClause() {
      if (!peekWord("by")) {
        return List.of();
      }
      word();
      expect('(');
      List<String> labels = new ArrayList<>();
      do {
        String label = word();
        if (label.isEmpty()) {
          throw error("a label name");
        }
        labels.add(label);
      } while (accept(','));
      expect(')');
      return List.copyOf(labels);
    }

    private Selector selector(String name) {
      if (name.isEmpty()) {
        throw error("a metric name");
      }
      List<Matcher> matchers = new ArrayList<>();
      if (accept('{')) {
        if (!accept('}')) {
          do {
            String label = word();
            if (label.isEmpty()) {
              throw error("a label name");
            }
            skip();
            boolean equal;
            if (s.startsWith("!=", i)) {
              equal = false;
              i += 2;
            } else if (s.startsWith("=", i) && !s.startsWith("=~", i)) {
              equal = true;
              i += 1;
            } else {
              throw error("= or != (regular expressions are not supported)");
            }
            matchers.add(new Matcher(label, equal, string()));
          } while (accept(','));
          expect('}');
        }
      }
      return new Selector(name, List.copyOf(matchers));
    }

    private String string() {
      skip();
      if (i >= s.length() || s.charAt(i) != '"') {
        throw error("a string in double quotes");
      }
      StringBuilder out = new StringBuilder();
      i++;
      while (i < s.length() && s.charAt(i) != '"') {
        char c = s.charAt(i++);
        if (c == '\\' && i < s.length()) {
          c = s.charAt(i++);
        }
        out.append(c);
      }
      if (i >= s.length()) {
        throw error("the closing double quote");
      }
      i++;
      return out.toString();
    }

    private double number() {
      skip();
      int start = i;
      while (i < s.length() && "0123456789.eE+-".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      try {
        return Double.parseDouble(s.substring(start, i));
      } catch (NumberFormatException e) {
        i = start;
        throw error("a number");
      }
    }

    private Duration duration() {
      skip();
      int start = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      if (i == start || i >= s.length()) {
        i = start;
        throw error("a duration such as 30s, 5m or 1h");
      }
      long n = Long.parseLong(s.substring(start, i));
      Duration d =
          switch (s.charAt(i)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> null;
          };
      if (d == null || n <= 0 || d.compareTo(MAX_WINDOW) > 0) {
        i = start;
        throw error("a duration in (0, 7d] such as 30s, 5m or 1h");
      }
      i++;
      return d;
    }

    private String word() {
      skip();
      int start = i;
      while (i < s.length()) {
        char c = s.charAt(i);
        boolean ok =
            Character.isLetter(c) || c == '_' || c == ':' || (i > start && Character.isDigit(c));
        if (!ok || c > 127) {
          break;
        }
        i++;
      }
      return s.substring(start, i);
    }

    private boolean peekWord(String w) {
      int at = i;
      boolean is = word().equals(w);
      i = at;
      return is;
    }

    private boolean accept(char c) {
      skip();
      if (i < s.length() && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!accept(c)) {
        throw error("'" + c + "'");
      }
    }

    private void skip() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private IllegalArgumentException error(String expected) {
      skip();
      String found =
          i >= s.length() ? "the end" : "'" + s.substring(i, Math.min(s.length(), i + 12)) + "'";
      return new IllegalArgumentException(
          "expression '"
              + s
              + "': expected "
              + expected
              + " at column "
              + (i + 1)
              + ", found "
              + found);
    }
  }
}
