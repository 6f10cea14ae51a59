package io.tideflow.core.flow;

import io.tideflow.core.model.Resources;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One process of a flow: the named process implementation its instances run (found on the class
 * path as task handlers are), how many instances, what each instance holds of its node, and its
 * ports.
 *
 * @param name unique in the flow
 * @param type the name the process implementation registers under
 * @param parallelism instances, 1 to {@value #MAX_PARALLELISM}
 * @param demand what one instance holds of its node
 * @param inputs the ports it reads, none for a source
 * @param outputs the ports it writes, none for a sink
 * @param properties what its implementation reads to configure itself (at most {@value
 *     #MAX_PROPERTIES}, values of at most {@value #MAX_PROPERTY_CHARS} characters)
 */
public record ProcessSpec(
    String name,
    String type,
    int parallelism,
    Resources demand,
    List<String> inputs,
    List<String> outputs,
    Map<String, String> properties) {
  public static final int MAX_PARALLELISM = 1024;
  public static final int MAX_PROPERTIES = 64;
  public static final int MAX_PROPERTY_CHARS = 4096;

  static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,62}");

  public ProcessSpec {
    check("process name", name);
    if (type == null || type.isBlank() || type.length() > 256) {
      throw new IllegalArgumentException(
          "process " + name + ": type must be 1..256 characters, was '" + type + "'");
    }
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException(
          "process "
              + name
              + ": parallelism must be in [1, "
              + MAX_PARALLELISM
              + "], was "
              + parallelism);
    }
    if (demand == null) {
      throw new IllegalArgumentException("process " + name + ": demand must not be null");
    }
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    for (String port : inputs) {
      check("process " + name + ": input port", port);
    }
    for (String port : outputs) {
      check("process " + name + ": output port", port);
    }
    if (inputs.stream().distinct().count() != inputs.size()
        || outputs.stream().distinct().count() != outputs.size()) {
      throw new IllegalArgumentException("process " + name + ": a port is named twice");
    }
    if (properties.size() > MAX_PROPERTIES) {
      throw new IllegalArgumentException(
          "process "
              + name
              + ": at most "
              + MAX_PROPERTIES
              + " properties, has "
              + properties.size());
    }
    for (Map.Entry<String, String> e : properties.entrySet()) {
      check("process " + name + ": property name", e.getKey());
      if (e.getValue() == null || e.getValue().length() > MAX_PROPERTY_CHARS) {
        throw new IllegalArgumentException(
            "process "
                + name
                + ": property "
                + e.getKey()
                + " must have a value of at most "
                + MAX_PROPERTY_CHARS
                + " characters");
      }
    }
    properties = Collections.unmodifiableMap(new TreeMap<>(properties));
  }

  /** A process without properties. */
  public ProcessSpec(
      String name,
      String type,
      int parallelism,
      Resources demand,
      List<String> inputs,
      List<String> outputs) {
    this(name, type, parallelism, demand, inputs, outputs, Map.of());
  }

  /** This process with {@code parallelism} instances. */
  public ProcessSpec withParallelism(int parallelism) {
    return new ProcessSpec(name, type, parallelism, demand, inputs, outputs, properties);
  }

  static void check(String what, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          what
              + " must be a letter then letters, digits, '_' or '-' (at most 63), was '"
              + value
              + "'");
    }
  }
}
