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
