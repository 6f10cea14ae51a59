package io.tideflow.bench.endtoend;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The backends the end-to-end benchmark knows, by the name given on its command line. Each entry is
 * a factory (a backend is started only when its turn comes) and a one-line description of its setup
 * for the report.
 *
 * <p>Registration happens once, before {@code main} parses its arguments; lookups may come from any
 * thread afterwards.
 */
public final class BackendRegistry {

  /**
   * A registered backend: how to start it, what its setup is in one line, and whether a run that
   * names no backends includes it (variants of a setup, kept for comparison, do not).
   */
  public record Entry(
      String name, String description, Supplier<TaskBackend> factory, boolean inDefaultRun) {
    /** Validates that every field is present and the name is usable on a command line. */
    public Entry {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
      Objects.requireNonNull(factory, "factory");
      if (!name.matches("[a-z0-9][a-z0-9-]*")) {
        throw new IllegalArgumentException(
            "backend name must be lower-case letters, digits and '-', was '" + name + "'");
      }
    }
  }

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

  static {
    register(
        "hazelcast",
        "Hazelcast 5.5 IExecutorService, 2 embedded members, every task crosses members"
            + " (A→B and B→A alternately), IdentifiedDataSerializable no-op, pool 2, callback API",
        () -> new HazelcastBackend(HazelcastBackend.Route.CROSS));
    registerVariant(
        "hazelcast-a2b",
        "as hazelcast, but member A submits every task to member B",
        () -> new HazelcastBackend(HazelcastBackend.Route.A_TO_B));
    registerVariant(
        "hazelcast-rr",
        "as hazelcast, but member A submits to A and B in turn (half the tasks stay local)",
        () -> new HazelcastBackend(HazelcastBackend.Route.ROUND_ROBIN));
    register(
        "direct",
        "completes each future on the caller: the harness's own floor",
        DirectBackend::new);
    register(
        "tideflow",
        "embedded: in-memory store, 2 worker nodes each with its own gRPC server on loopback,"
            + " client placing least-loaded over one bidi stream per worker, no-op handler",
        TideflowBackend::new);
    for (int n : new int[] {1, 4, 8}) {
      registerVariant(
          "tideflow-" + n + "w",
          "as tideflow, but " + n + " worker node" + (n == 1 ? "" : "s"),
          () -> new TideflowBackend(n));
    }
    registerVariant(
        "tideflow-tls",
        "as tideflow, but every link mutual TLS 1.3 (BoringSSL, X25519MLKEM768, P-256"
            + " certificates from a cluster CA)",
        () -> new TideflowBackend(2, true));
  }

  private BackendRegistry() {}

  /** Adds a backend, with its name as its description. */
  public static synchronized void register(String name, Supplier<TaskBackend> factory) {
    register(name, name, factory);
  }

  /** Adds a backend that runs by default; a name may be registered once. */
  public static synchronized void register(
      String name, String description, Supplier<TaskBackend> factory) {
    add(new Entry(name, description, factory, true));
  }

  /** Adds a backend that runs only when named on the command line. */
  public static synchronized void registerVariant(
      String name, String description, Supplier<TaskBackend> factory) {
    add(new Entry(name, description, factory, false));
  }

  private static void add(Entry entry) {
    String name = entry.name();
    if (ENTRIES.putIfAbsent(name, entry) != null) {
      throw new IllegalStateException("backend '" + name + "' is already registered");
    }
  }

  /**
   * The backend of that name.
   *
   * @throws IllegalArgumentException naming the known backends, when there is none by that name
   */
  public static synchronized Entry lookup(String name) {
    Entry entry = ENTRIES.get(name);
    if (entry == null) {
      String hint =
          "tideflow".equals(name)
              ? " (the Tideflow backend is not registered yet: see BackendRegistry's static block)"
              : "";
      throw new IllegalArgumentException(
          "unknown backend '"
              + name
              + "'"
              + hint
              + "; known backends: "
              + String.join(", ", names()));
    }
    return entry;
  }

  /** The registered names, in registration order. */
  public static synchronized List<String> names() {
    return List.copyOf(ENTRIES.keySet());
  }

  /** The names a run includes when it names none, in registration order. */
  public static synchronized List<String> defaultNames() {
    return ENTRIES.values().stream().filter(Entry::inDefaultRun).map(Entry::name).toList();
  }

  /** Name to factory, in registration order; a snapshot, not a live view. */
  public static synchronized Map<String, Supplier<TaskBackend>> factories() {
    Map<String, Supplier<TaskBackend>> factories = new LinkedHashMap<>();
    ENTRIES.forEach((name, entry) -> factories.put(name, entry.factory()));
    return factories;
  }
}
