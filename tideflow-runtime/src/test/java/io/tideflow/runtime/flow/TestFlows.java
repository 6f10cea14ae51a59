package io.tideflow.runtime.flow;

import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.model.Resources;
import java.util.List;
import java.util.Map;

/** Short forms for the processes the flow tests build. */
final class TestFlows {
  private static final Resources CPU = Resources.of(100, 1 << 20);

  private TestFlows() {}

  static ProcessSpec process(
      String name,
      String type,
      int parallelism,
      List<String> in,
      List<String> out,
      Map<String, String> props) {
    return new ProcessSpec(name, type, parallelism, CPU, in, out, props);
  }
}
