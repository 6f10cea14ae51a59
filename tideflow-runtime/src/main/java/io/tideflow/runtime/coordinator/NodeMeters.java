package io.tideflow.runtime.coordinator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * What the leading coordinator knows of every node, as meters tagged {@code node}: its cpu, heap,
 * tasks and capacity from its last report, and the nodes by state — so one scrape of the leader
 * shows the whole cluster. Rewritten at each membership change the leader sees; emptied when it
 * stops leading.
 */
final class NodeMeters {
  private final List<Row> rows = new ArrayList<>();
  private final MultiGauge byState;

  private record Row(MultiGauge gauge, ToDoubleFunction<NodeInfo> value) {}

  NodeMeters(MeterRegistry registry) {
    row(
        registry,
        "tideflow.node.cpu.usage",
        null,
        "The node's process cpu, 0..1, as it last said",
        n -> n.load().cpu() < 0 ? Double.NaN : n.load().cpu());
    row(
        registry,
        "tideflow.node.heap.used",
        "bytes",
        "Heap in use on the node",
        n -> n.load().heapUsedBytes());
    row(
        registry,
        "tideflow.node.heap.max",
        "bytes",
        "The node's heap limit",
        n -> n.load().heapMaxBytes());
    row(
        registry,
        "tideflow.node.network",
        "bytes.per.second",
        "Task bytes in and out of the node",
        n -> n.load().networkBytesPerSec());
    row(
        registry,
        "tideflow.node.tasks.in_flight",
        null,
        "Tasks the node runs",
        n -> n.load().inFlight());
    row(
        registry,
        "tideflow.node.tasks.queued",
        null,
        "Tasks the node holds waiting",
        n -> n.load().queued());
    row(
        registry,
        "tideflow.node.capacity.cpu",
        "millicores",
        "The node's cpu capacity",
        n -> n.capacity().cpuMillis());
    row(
        registry,
        "tideflow.node.capacity.memory",
        "bytes",
        "The node's memory capacity",
        n -> n.capacity().memoryBytes());
    byState =
        MultiGauge.builder("tideflow.cluster.nodes")
            .description("Nodes in the registry by state, as the leader sees them")
            .register(registry);
  }

  private void row(
      MeterRegistry registry,
      String name,
      String unit,
      String description,
      ToDoubleFunction<NodeInfo> value) {
    MultiGauge.Builder b = MultiGauge.builder(name).description(description);
    if (unit != null) {
      b = b.baseUnit(unit);
    }
    rows.add(new Row(b.register(registry), value));
  }

  /** Shows {@code view}; the leader's thread calls it. */
  synchronized void show(ClusterView view) {
    for (Row r : rows) {
      List<MultiGauge.Row<?>> now = new ArrayList<>();
      for (NodeInfo n : view.nodes()) {
        double v = r.value().applyAsDouble(n);
        now.add(MultiGauge.Row.of(Tags.of("node", n.id()), v));
      }
      r.gauge().register(now, true);
    }
    List<MultiGauge.Row<?>> states = new ArrayList<>();
    var counts = view.countByState();
    for (NodeState s : NodeState.values()) {
      states.add(MultiGauge.Row.of(Tags.of("state", s.name()), counts.getOrDefault(s, 0)));
    }
    byState.register(states, true);
  }

  /** Shows nothing: this candidate no longer leads. */
  synchronized void clear() {
    for (Row r : rows) {
      r.gauge().register(List.of(), true);
    }
    byState.register(List.of(), true);
  }
}
