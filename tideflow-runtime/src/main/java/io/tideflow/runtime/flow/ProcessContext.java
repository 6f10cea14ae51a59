package io.tideflow.runtime.flow;

import java.util.List;

/** What a process instance knows of its place in the flow; handed to {@link FlowProcess#open}. */
public interface ProcessContext {
  String flow();

  /** The process's name in the flow. */
  String process();

  /** This instance's index, 0 to {@code parallelism() - 1}. */
  int instance();

  int parallelism();

  /**
   * How many key groups the keys of the process's {@link io.tideflow.core.flow.Routing#KEYED}
   * inputs hash into; 0 when it has none.
   */
  int keyGroups();

  /**
   * The key group of {@code key} on the process's keyed inputs.
   *
   * @throws IllegalStateException when the process has no keyed input
   */
  default int keyGroup(long key) {
    int groups = keyGroups();
    if (groups == 0) {
      throw new IllegalStateException("process " + process() + " has no keyed input");
    }
    return io.tideflow.core.flow.KeyGroups.group(key, groups);
  }

  /** Whether this instance owns key group {@code group}: the keys of it come here. */
  default boolean ownsKeyGroup(int group) {
    return io.tideflow.core.flow.KeyGroupStates.owns(instance(), group, keyGroups(), parallelism());
  }

  /** A property from the process's spec, or {@code fallback} when it has none of that name. */
  String property(String name, String fallback);

  /** The names of the process's output ports, in the order its spec gives them. */
  List<String> outputPorts();

  /**
   * The output port of that name.
   *
   * @throws IllegalArgumentException when the process has no such output port
   */
  Output output(String port);
}
