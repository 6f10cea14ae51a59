package io.tideflow.runtime.flow;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * An immutable registry of process implementations by type name: the built-ins, what {@link
 * FlowProcessProvider}s on the class path contribute, and what the application adds. A flow's
 * process names its implementation by {@link io.tideflow.core.flow.ProcessSpec#type()}.
 *
 * <p>Built-ins: {@code sequence} (a source of numbered messages: property {@code count}, default
 * 1000, 0 for no end; {@code size}, payload bytes, at least 8, default 8; instance i of p emits the
 * numbers i, i + p, i + 2p, … with the number as key and in the payload's first 8 bytes,
 * big-endian), {@code pass} (emits every message it gets on every output), {@code spin} (like pass
 * after {@code nanos} of CPU work per message, default 1000) and {@code discard} (takes everything,
 * emits nothing).
 */
public final class FlowProcesses {
  private final Map<String, Supplier<? extends FlowProcess>> byType;

  private FlowProcesses(Map<String, Supplier<? extends FlowProcess>> byType) {
    this.byType = Map.copyOf(byType);
  }

  /** The built-ins plus every implementation a provider on the class path offers. */
  public static FlowProcesses discover() {
    FlowProcesses processes = builtins();
    for (FlowProcessProvider provider : ServiceLoader.load(FlowProcessProvider.class)) {
      for (Map.Entry<String, Supplier<? extends FlowProcess>> e : provider.processes().entrySet()) {
        processes = processes.with(e.getKey(), e.getValue());
      }
    }
    return processes;
  }

  public static FlowProcesses builtins() {
    Map<String, Supplier<? extends FlowProcess>> map = new TreeMap<>();
    map.put("sequence", BuiltinProcesses.Sequence::new);
    map.put("pass", BuiltinProcesses.Pass::new);
    map.put("spin", BuiltinProcesses.Spin::new);
    map.put("discard", BuiltinProcesses.Discard::new);
    map.put("file", BuiltinProcesses.FileSink::new);
    return new FlowProcesses(map);
  }

  /** A registry with {@code supplier} under {@code type}, replacing any there. */
  public FlowProcesses with(String type, Supplier<? extends FlowProcess> supplier) {
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("process type must not be blank, was '" + type + "'");
    }
    if (supplier == null) {
      throw new IllegalArgumentException("process type '" + type + "' has a null supplier");
    }
    Map<String, Supplier<? extends FlowProcess>> map = new TreeMap<>(byType);
    map.put(type, supplier);
    return new FlowProcesses(map);
  }

  /** The supplier of that type, or null. */
  public Supplier<? extends FlowProcess> get(String type) {
    return byType.get(type);
  }

  public Set<String> types() {
    return new TreeSet<>(byType.keySet());
  }
}
