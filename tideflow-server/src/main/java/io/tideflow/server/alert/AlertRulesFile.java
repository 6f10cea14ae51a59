package io.tideflow.server.alert;

import io.tideflow.core.alert.AlertQuery;
import io.tideflow.core.alert.AlertRule;
import io.tideflow.core.alert.Severity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Alert rules in Prometheus' rule-file format — {@code groups: [{name, rules: [{alert, expr, for,
 * keep_firing_for, labels, annotations}]}]} — read for a coordinator and written for those who
 * alert in Prometheus itself. The {@code severity} label gives the rule's severity; the {@code
 * summary} annotation its text. Every error names where in the file it is.
 */
public final class AlertRulesFile {
  /** The largest rules file read. */
  public static final long MAX_BYTES = 1 << 20;

  private static final Set<String> GROUP_KEYS = Set.of("name", "interval", "rules");
  private static final Set<String> RULE_KEYS =
      Set.of("alert", "expr", "for", "keep_firing_for", "labels", "annotations");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  private AlertRulesFile() {}

  /**
   * The rules in {@code file}.
   *
   * @throws IllegalArgumentException naming the file, the place in it and the problem
   */
  public static List<AlertRule> read(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new IllegalArgumentException(
            file + ": the rules file is over " + MAX_BYTES + " bytes");
      }
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the rules file " + file, e);
    }
  }

  /** The rules in {@code yaml}; {@code source} names it in errors. */
  public static List<AlertRule> parse(String yaml, String source) {
    Object root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setMaxAliasesForCollections(10);
      root = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (YAMLException e) {
      throw new IllegalArgumentException(source + ": not YAML: " + e.getMessage(), e);
    }
    Map<String, Object> top = map(root, source, "the file");
    known(top, Set.of("groups"), source, "the file");
    List<AlertRule> rules = new ArrayList<>();
    Set<String> names = new java.util.HashSet<>();
    List<Object> groups = list(top.get("groups"), source, "groups");
    for (int g = 0; g < groups.size(); g++) {
      String at = "groups[" + g + "]";
      Map<String, Object> group = map(groups.get(g), source, at);
      known(group, GROUP_KEYS, source, at);
      List<Object> list = list(group.get("rules"), source, at + ".rules");
      for (int r = 0; r < list.size(); r++) {
        String where = at + ".rules[" + r + "]";
        AlertRule rule = rule(map(list.get(r), source, where), source, where);
        if (!names.add(rule.name())) {
          throw new IllegalArgumentException(
              source + ": " + where + ": a second rule named " + rule.name());
        }
        rules.add(rule);
      }
    }
    return List.copyOf(rules);
  }

  private static AlertRule rule(Map<String, Object> m, String source, String where) {
    if (m.containsKey("record")) {
      throw new IllegalArgumentException(
          source + ": " + where + ": recording rules are not supported, only alert rules");
    }
    known(m, RULE_KEYS, source, where);
    try {
      String name = text(m.get("alert"), "alert");
      AlertQuery query = AlertQuery.parse(text(m.get("expr"), "expr"));
      Map<String, String> labels = strings(m.get("labels"), "labels");
      Map<String, String> annotations = strings(m.get("annotations"), "annotations");
      String severity = labels.remove("severity");
      String summary = annotations.getOrDefault("summary", annotations.get("description"));
      return new AlertRule(
          name,
          query,
          duration(m.get("for"), "for"),
          duration(m.get("keep_firing_for"), "keep_firing_for"),
          severity == null ? Severity.WARNING : Severity.parse(severity),
          labels,
          summary);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + where + ": " + e.getMessage(), e);
    }
  }

  /** {@code rules} as one group of a Prometheus rules file, to load with {@code rule_files}. */
  public static String write(String group, List<AlertRule> rules) {
    StringBuilder out = new StringBuilder();
    out.append("# Tideflow's alert rules, for Prometheus' rule_files (promtool check rules).\n");
    out.append("groups:\n  - name: ").append(quote(group)).append("\n    rules:\n");
    for (AlertRule r : rules) {
      out.append("      - alert: ").append(r.name()).append('\n');
      out.append("        expr: ").append(quote(r.query().text())).append('\n');
      out.append("        for: ").append(show(r.forDuration())).append('\n');
      if (!r.keepFiringFor().isZero()) {
        out.append("        keep_firing_for: ").append(show(r.keepFiringFor())).append('\n');
      }
      Map<String, String> labels = new TreeMap<>(r.labels());
      labels.put("severity", r.severity().label());
      out.append("        labels:\n");
      for (Map.Entry<String, String> l : labels.entrySet()) {
        out.append("          ").append(l.getKey()).append(": ").append(quote(l.getValue()));
        out.append('\n');
      }
      if (!r.summary().isEmpty()) {
        out.append("        annotations:\n          summary: ").append(quote(r.summary()));
        out.append('\n');
      }
    }
    return out.toString();
  }

  private static String show(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** A YAML double-quoted scalar: JSON's escapes, which YAML reads the same. */
  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** A Prometheus duration: {@code 1h30m}, {@code 90s}, {@code 500ms}; absent is zero. */
  static Duration duration(Object value, String field) {
    if (value == null) {
      return Duration.ZERO;
    }
    String s = value.toString().strip();
    Matcher m = DURATION.matcher(s);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
              });
      end = m.end();
    }
    if (end == 0 || end != s.length()) {
      throw new IllegalArgumentException(
          field + ": '" + s + "' is not a duration such as 30s, 5m or 1h30m");
    }
    return total;
  }

  private static String text(Object value, String field) {
    if (!(value instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(field + " must be given as text");
    }
    return s;
  }

  private static Map<String, String> strings(Object value, String field) {
    Map<String, String> out = new LinkedHashMap<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(field + " must be a map of names to text");
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (e.getValue() instanceof Map || e.getValue() instanceof List) {
        throw new IllegalArgumentException(field + "." + e.getKey() + " must be text");
      }
      out.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value, String source, String where) {
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException(source + ": " + where + " must be a map");
    }
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value, String source, String where) {
    if (!(value instanceof List)) {
      throw new IllegalArgumentException(source + ": " + where + " must be a list");
    }
    return (List<Object>) value;
  }

  private static void known(Map<String, Object> m, Set<String> keys, String source, String where) {
    for (Object key : m.keySet()) {
      if (!keys.contains(String.valueOf(key))) {
        throw new IllegalArgumentException(
            source
                + ": "
                + where
                + ": unknown key '"
                + key
                + "' (known: "
                + String.join(", ", new java.util.TreeSet<>(keys))
                + ")");
      }
    }
  }
}
