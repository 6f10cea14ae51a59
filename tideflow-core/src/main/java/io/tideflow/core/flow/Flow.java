package io.tideflow.core.flow;

import io.tideflow.core.model.Resources;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A process network: processes joined by bounded connections from output ports to input ports.
 * Checked whole when built: every connection joins ports that exist, each input port is fed, {@link
 * Routing#FORWARD} joins processes of equal parallelism, a keyed connection has a key group for
 * every receiving instance, and there is no cycle (a cycle of bounded channels can deadlock when
 * every channel on it is full, so none is accepted). Immutable.
 */
public final class Flow {
  private final String name;
  private final Map<String, ProcessSpec> processes;
  private final List<Connection> connections;

  private Flow(String name, Map<String, ProcessSpec> processes, List<Connection> connections) {
    this.name = name;
    this.processes = processes;
    this.connections = connections;
  }

  public static Builder builder(String name) {
    ProcessSpec.check("flow name", name);
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** The processes in the order they were added. */
  public List<ProcessSpec> processes() {
    return List.copyOf(processes.values());
  }

  public ProcessSpec process(String name) {
    return processes.get(name);
  }

  public List<Connection> connections() {
    return connections;
  }

  /** Instances of all processes together. */
  public int instanceCount() {
    return processes.values().stream().mapToInt(ProcessSpec::parallelism).sum();
  }

  /** Collects processes and connections; {@link #build()} checks them. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final Map<String, ProcessSpec> processes = new LinkedHashMap<>();
    private final List<Connection> connections = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * @throws IllegalArgumentException when a process of that name is there already
     */
    public Builder process(ProcessSpec process) {
      if (processes.putIfAbsent(process.name(), process) != null) {
        throw new IllegalArgumentException(
            "flow " + name + ": process " + process.name() + " is defined twice");
      }
      return this;
    }

    /** A process of {@code parallelism} instances of {@code type}, each holding {@code demand}. */
    public Builder process(
        String process,
        String type,
        int parallelism,
        Resources demand,
        List<String> inputs,
        List<String> outputs) {
      return process(new ProcessSpec(process, type, parallelism, demand, inputs, outputs));
    }

    public Builder connect(Connection connection) {
      connections.add(connection);
      return this;
    }

    /**
     * A connection from {@code "process.port"} to {@code "process.port"}.
     *
     * @throws IllegalArgumentException when an end is not {@code process.port}
     */
    public Builder connect(String from, String to, Routing routing, int capacity) {
      String[] f = end(from);
      String[] t = end(to);
      return connect(
          new Connection(f[0], f[1], t[0], t[1], routing, capacity, Connection.DEFAULT_KEY_GROUPS));
    }

    private String[] end(String end) {
      int dot = end == null ? -1 : end.indexOf('.');
      if (dot <= 0 || dot == end.length() - 1 || end.indexOf('.', dot + 1) >= 0) {
        throw new IllegalArgumentException(
            "flow " + name + ": a connection's end must be process.port, was '" + end + "'");
      }
      return new String[] {end.substring(0, dot), end.substring(dot + 1)};
    }

    private void checkPort(
        Connection c, ProcessSpec process, String kind, String port, List<String> ports) {
      if (!ports.contains(port)) {
        throw new IllegalArgumentException(
            "flow "
                + name
                + ": connection "
                + c
                + ": "
                + process.name()
                + " has no "
                + kind
                + " port "
                + port
                + " (its "
                + kind
                + "s: "
                + ports
                + ")");
      }
    }

    /**
     * The flow, checked.
     *
     * @throws IllegalArgumentException naming the first thing wrong: an unknown process or port, an
     *     input port nothing feeds, FORWARD between different parallelisms, too few key groups, a
     *     cycle (with its path), no process at all
     */
    public Flow build() {
      if (processes.isEmpty()) {
        throw new IllegalArgumentException("flow " + name + " has no process");
      }
      Map<String, List<String>> next = new LinkedHashMap<>();
      processes.keySet().forEach(p -> next.put(p, new ArrayList<>()));
      Set<String> fed = new HashSet<>();
      for (Connection c : connections) {
        ProcessSpec from = processes.get(c.from());
        ProcessSpec to = processes.get(c.to());
        if (from == null || to == null) {
          throw new IllegalArgumentException(
              "flow "
                  + name
                  + ": connection "
                  + c
                  + " names process "
                  + (from == null ? c.from() : c.to())
                  + ", which the flow does not have (it has "
                  + processes.keySet()
                  + ")");
        }
        checkPort(c, from, "output", c.fromPort(), from.outputs());
        checkPort(c, to, "input", c.toPort(), to.inputs());
        if (c.routing() == Routing.FORWARD && from.parallelism() != to.parallelism()) {
          throw new IllegalArgumentException(
              "flow "
                  + name
                  + ": connection "
                  + c
                  + " is FORWARD but "
                  + from.name()
                  + " has "
                  + from.parallelism()
                  + " instances and "
                  + to.name()
                  + " "
                  + to.parallelism()
                  + ": use ROUND_ROBIN or KEYED, or equal parallelism");
        }
        if (c.routing() == Routing.KEYED && c.keyGroups() < to.parallelism()) {
          throw new IllegalArgumentException(
              "flow "
                  + name
                  + ": connection "
                  + c
                  + " has "
                  + c.keyGroups()
                  + " key groups for "
                  + to.parallelism()
                  + " instances of "
                  + to.name()
                  + ": it needs at least one per instance");
        }
        next.get(c.from()).add(c.to());
        fed.add(c.to() + "." + c.toPort());
      }
      for (ProcessSpec p : processes.values()) {
        for (String input : p.inputs()) {
          if (!fed.contains(p.name() + "." + input)) {
            throw new IllegalArgumentException(
                "flow " + name + ": input port " + p.name() + "." + input + " is fed by nothing");
          }
        }
      }
      List<String> cycle = Cycles.find(next);
      if (!cycle.isEmpty()) {
        throw new IllegalArgumentException(
            "flow "
                + name
                + " has a cycle, "
                + String.join(" -> ", cycle)
                + ": bounded channels on a cycle can all fill and wait on each other, so cycles"
                + " are not accepted");
      }
      return new Flow(
          name,
          Collections.unmodifiableMap(new LinkedHashMap<>(processes)),
          List.copyOf(connections));
    }
  }
}
