package io.tideflow.core.placement;

import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import java.util.Map;

/** Nodes for placement tests. */
final class Fixtures {
  private Fixtures() {}

  static final long GIB = 1L << 30;

  static NodeInfo node(String id, long cpuMillis, long memoryBytes, Map<String, String> labels) {
    return new NodeInfo(
        id,
        "in-process",
        "127.0.0.1:1",
        labels,
        Resources.of(cpuMillis, memoryBytes),
        NodeState.READY,
        LoadReport.NONE);
  }

  static NodeInfo node(String id, Resources capacity, Map<String, String> labels) {
    return new NodeInfo(
        id, "in-process", "127.0.0.1:1", labels, capacity, NodeState.READY, LoadReport.NONE);
  }

  static NodeInfo node(String id) {
    return node(id, 4000, 8 * GIB, Map.of());
  }
}
