package io.tideflow.bench.flow;

import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.model.Resources;
import java.util.List;
import java.util.Map;

/** Pieces the flow benchmarks share. */
final class BenchFlows {
  /** What every benchmark instance asks of its node: a tenth of a core and 1 MiB. */
  static final Resources CPU = Resources.of(100, 1 << 20);

  private BenchFlows() {}

  /**
   * One built-in {@code sequence} source called {@code source}, writing to its port {@code out}.
   */
  static ProcessSpec source(Map<String, String> properties) {
    return new ProcessSpec("source", "sequence", 1, CPU, List.of(), List.of("out"), properties);
  }
}
