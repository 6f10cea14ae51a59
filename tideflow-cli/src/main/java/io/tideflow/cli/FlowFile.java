package io.tideflow.cli;

import io.tideflow.core.flow.Connection;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import io.tideflow.core.model.Resources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A flow as YAML, the form {@code tideflow flow} reads:
 *
 * <pre>
 * name: clicks
 * processes:
 *   - {name: source, type: kafka-source, parallelism: 2, cpu: 1000, memory: 256Mi, outputs: [out]}
 *   - {name: count, type: count-by-user, parallelism: 4, inputs: [in]}
 * connections:
 *   - {from: source.out, to: count.in, routing: keyed, capacity: 1024, rate: 50000}
 * </pre>
 *
 * {@code cpu} is in millicores (default 1000), {@code memory} in bytes or with Ki, Mi, Gi (default
 * none: an instance that names no memory is placed by its cpu alone; one that names it goes only
 * where a node has that much left of the memory it offers), {@code network} the bytes per second it
 * sends and receives, as {@code memory} (default none), {@code resources} custom ones by name (e.g.
 * {@code {gpu: 1}}: it goes only to a worker started with {@code --resource gpu=N}), {@code
 * routing} one of forward, round_robin, keyed, broadcast (default round_robin), {@code capacity} in
 * messages (default 1024), {@code maxBytes} the payload bytes a channel holds at most, as {@code
 * memory} (default 8Mi), {@code keyGroups} for keyed (default 128), {@code rate} the messages per
 * second expected, for placement (default 1); {@code properties} a mapping the process's
 * implementation reads (e.g. {@code count} of the built-in {@code sequence}). A top-level {@code
 * maxParallelism} lets the leader scale each process that takes input and holds no state by DS2, up
 * to that many instances (default 0: parallelism fixed). Unknown keys are refused, so a misspelt
 * one is never silently ignored.
 */
final class FlowFile {
  /** Longest flow file read. */
  static final int MAX_CHARS = 1 << 20;

  private static final Set<String> FLOW_KEYS =
      Set.of("name", "processes", "connections", "maxParallelism");
  private static final Set<String> PROCESS_KEYS =
      Set.of(
          "name",
          "type",
          "parallelism",
          "cpu",
          "memory",
          "network",
          "resources",
          "inputs",
          "outputs",
          "properties");
  private static final Set<String> CONNECTION_KEYS =
      Set.of("from", "to", "routing", "capacity", "maxBytes", "keyGroups", "rate");

  /** A parsed flow and the rates its connections are expected to carry. */
  /**
   * @param maxParallelism 0 (the default) for fixed parallelism; else the most instances the
   *     vertical scaler gives a process
   */
  record Parsed(Flow flow, Map<Connection, Double> rates, int maxParallelism) {}

  private FlowFile() {}

  /**
   * @throws IllegalArgumentException naming what is wrong: YAML that does not parse, a key that is
   *     unknown or missing, a value of the wrong kind, or what {@link Flow.Builder#build} refuses
   */
  static Parsed parse(String yaml) {
    if (yaml.length() > MAX_CHARS) {
      throw new IllegalArgumentException(
          "a flow file may have " + MAX_CHARS + " characters, this one has " + yaml.length());
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    options.setCodePointLimit(MAX_CHARS);
    Object root;
    try {
      root = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (YAMLException e) {
      throw new IllegalArgumentException("not YAML a flow can be read from: " + e.getMessage(), e);
    }
    Map<String, Object> flow = map(root, "the flow", FLOW_KEYS);
    Flow.Builder b = Flow.builder(string(flow, "name", "the flow"));
    Map<Connection, Double> rates = new LinkedHashMap<>();
    for (Object p : list(flow.get("processes"), "processes")) {
      Map<String, Object> process = map(p, "a process", PROCESS_KEYS);
      String name = string(process, "name", "a process");
      String where = "process " + name;
      b.process(
          new ProcessSpec(
              name,
              string(process, "type", where),
              (int) number(process, "parallelism", where, 1),
              new Resources(
                  number(process, "cpu", where, 1000),
                  process.containsKey("memory") ? bytes(process.get("memory"), "memory", where) : 0,
                  process.containsKey("network")
                      ? bytes(process.get("network"), "network", where)
                      : 0,
                  resources(process.get("resources"), where)),
              strings(process.get("inputs"), where + " inputs"),
              strings(process.get("outputs"), where + " outputs"),
              properties(process.get("properties"), where)));
    }
    for (Object c : list(flow.get("connections"), "connections")) {
      Map<String, Object> connection = map(c, "a connection", CONNECTION_KEYS);
      String from = string(connection, "from", "a connection");
      String to = string(connection, "to", "a connection");
      String where = "connection " + from + " -> " + to;
      String[] f = end(from, where);
      String[] t = end(to, where);
      Connection made =
          new Connection(
              f[0],
              f[1],
              t[0],
              t[1],
              routing(connection.getOrDefault("routing", "round_robin"), where),
              (int) number(connection, "capacity", where, 1024),
              (int) number(connection, "keyGroups", where, Connection.DEFAULT_KEY_GROUPS),
              connection.containsKey("maxBytes")
                  ? bytes(connection.get("maxBytes"), "maxBytes", where)
                  : Connection.DEFAULT_MAX_BYTES);
      b.connect(made);
      if (connection.containsKey("rate")) {
        rates.put(made, (double) number(connection, "rate", where, 1));
      }
    }
    long max = number(flow, "maxParallelism", "the flow", 0);
    if (max < 0 || max > ProcessSpec.MAX_PARALLELISM) {
      throw new IllegalArgumentException(
          "the flow: maxParallelism must be in [0, "
              + ProcessSpec.MAX_PARALLELISM
              + "], was "
              + max);
    }
    return new Parsed(b.build(), rates, (int) max);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value, String what, Set<String> keys) {
    if (!(value instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(what + " must be a mapping, was " + kind(value));
    }
    for (Object key : m.keySet()) {
      if (!keys.contains(String.valueOf(key))) {
        throw new IllegalArgumentException(
            what + " has an unknown key '" + key + "' (known: " + new TreeSet<>(keys) + ")");
      }
    }
    return (Map<String, Object>) m;
  }

  /** A mapping of names to scalars, each value as its text. */
  private static Map<String, String> properties(Object value, String where) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(
          where + ": properties must be a mapping, was " + kind(value));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      Object v = e.getValue();
      if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        throw new IllegalArgumentException(
            where
                + ": property "
                + e.getKey()
                + " must be a string, number or boolean, was "
                + kind(v));
      }
      out.put(String.valueOf(e.getKey()), String.valueOf(v));
    }
    return out;
  }

  private static List<?> list(Object value, String what) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> l)) {
      throw new IllegalArgumentException(what + " must be a list, was " + kind(value));
    }
    return l;
  }

  private static List<String> strings(Object value, String what) {
    List<String> out = new ArrayList<>();
    for (Object o : list(value, what)) {
      if (!(o instanceof String s)) {
        throw new IllegalArgumentException(what + " must be names, one was " + kind(o));
      }
      out.add(s);
    }
    return out;
  }

  private static String string(Map<String, Object> m, String key, String where) {
    Object v = m.get(key);
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException(
          where + ": '" + key + "' must be a string, was " + kind(v));
    }
    return s;
  }

  private static long number(Map<String, Object> m, String key, String where, long fallback) {
    Object v = m.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Integer || v instanceof Long)) {
      throw new IllegalArgumentException(
          where + ": '" + key + "' must be a whole number, was " + kind(v));
    }
    long n = ((Number) v).longValue();
    if (n < 0) {
      throw new IllegalArgumentException(where + ": '" + key + "' must be >= 0, was " + n);
    }
    return n;
  }

  private static long bytes(Object v, String key, String where) {
    if (v instanceof Integer || v instanceof Long) {
      long n = ((Number) v).longValue();
      if (n >= 0) {
        return n;
      }
    }
    return Sizes.bytes(String.valueOf(v), where + ": '" + key + "'");
  }

  /** A process's custom resources: names to whole amounts, e.g. {@code {gpu: 1}}. */
  private static Map<String, Long> resources(Object v, String where) {
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(
          where + ": 'resources' must be a mapping of names to amounts, was " + v);
    }
    Map<String, Long> out = new java.util.TreeMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String name = String.valueOf(e.getKey()).trim();
      if (name.isEmpty() || name.equals("cpu") || name.equals("memory") || name.equals("network")) {
        throw new IllegalArgumentException(
            where
                + ": a custom resource needs a name other than cpu, memory or network, was '"
                + name
                + "'");
      }
      if (!(e.getValue() instanceof Integer || e.getValue() instanceof Long)
          || ((Number) e.getValue()).longValue() < 1) {
        throw new IllegalArgumentException(
            where + ": resource " + name + " must be a whole number >= 1, was " + e.getValue());
      }
      out.put(name, ((Number) e.getValue()).longValue());
    }
    return out;
  }

  private static Routing routing(Object v, String where) {
    try {
      return Routing.valueOf(String.valueOf(v).trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          where + ": routing must be forward, round_robin, keyed or broadcast, was '" + v + "'", e);
    }
  }

  private static String[] end(String end, String where) {
    int dot = end.indexOf('.');
    if (dot <= 0 || dot == end.length() - 1) {
      throw new IllegalArgumentException(
          where + ": an end must be process.port, was '" + end + "'");
    }
    return new String[] {end.substring(0, dot), end.substring(dot + 1)};
  }

  private static String kind(Object v) {
    return v == null ? "missing" : v.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + v;
  }
}
