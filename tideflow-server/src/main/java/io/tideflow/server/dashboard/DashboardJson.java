package io.tideflow.server.dashboard;

import com.google.gson.stream.JsonWriter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.alert.Alert;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.flow.Backpressure;
import io.tideflow.core.flow.FlowHealth;
import io.tideflow.core.model.ClusterView;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.coordinator.FlowMonitor;
import io.tideflow.runtime.membership.DemandRecords;
import io.tideflow.server.alert.AlertJson;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the dashboard's frames as JSON, field by field: the page and any other reader of {@code
 * /api/v1/cluster} depend on these names, so they are spelled here and nowhere else.
 */
final class DashboardJson {
  private DashboardJson() {}

  /**
   * What the client in this process says of its tasks (totals since it started, now), or else what
   * every client last published, as a leader exports it.
   *
   * @param present false when neither is known (a standby coordinator's own dashboard)
   */
  record Tasks(
      boolean present,
      double submitted,
      double completed,
      double failed,
      double retried,
      double inFlight,
      double waiting,
      Map<String, Hold> heldByNode) {
    Tasks {
      heldByNode = Map.copyOf(heldByNode);
    }
  }

  /** What the clients' tasks in flight hold on one node, as the leader exports it. */
  record Hold(long cpuMillis, long memoryBytes) {}

  /** The leader's {@code tideflow.node.tasks.allocated.*} gauges, by node. */
  private static Map<String, Hold> heldByNode(MeterRegistry registry) {
    Map<String, Hold> held = new HashMap<>();
    for (Meter m : registry.find("tideflow.node.tasks.allocated.cpu").meters()) {
      String node = m.getId().getTag("node");
      if (node == null) {
        continue;
      }
      Gauge memory =
          registry.find("tideflow.node.tasks.allocated.memory").tag("node", node).gauge();
      held.put(
          node,
          new Hold(
              (long) first(m),
              memory == null || !Double.isFinite(memory.value()) ? 0 : (long) memory.value()));
    }
    return held;
  }

  private static double first(Meter m) {
    for (Measurement measurement : m.measure()) {
      double v = measurement.getValue();
      return Double.isFinite(v) ? v : 0;
    }
    return 0;
  }

  static Tasks tasks(MeterRegistry registry, Sample point) {
    String prefix;
    if (registry == null) {
      prefix = null;
    } else if (registry.find("tideflow.tasks.submitted").counter() != null) {
      prefix = "tideflow.tasks."; // this process's own client: the freshest counts
    } else if (!registry.find("tideflow.cluster.tasks.submitted").meters().isEmpty()) {
      prefix = "tideflow.cluster.tasks."; // a leader's: every client, as each last published
    } else {
      prefix = null;
    }
    Map<String, Hold> held = registry == null ? Map.of() : heldByNode(registry);
    if (prefix == null) {
      return new Tasks(false, 0, 0, 0, 0, point.inFlight(), 0, held);
    }
    return new Tasks(
        true,
        sum(registry, prefix + "submitted"),
        sum(registry, prefix + "completed"),
        sum(registry, prefix + "failed"),
        sum(registry, prefix + "retried"),
        sum(registry, prefix + "in_flight"),
        sum(registry, prefix + "waiting"),
        held);
  }

  /** The first value of every meter named {@code name}, summed (several clients, several tags). */
  private static double sum(MeterRegistry registry, String name) {
    double total = 0;
    for (Meter m : registry.find(name).meters()) {
      total += first(m);
    }
    return total;
  }

  static String frame(
      String title,
      long atMillis,
      String role,
      ClusterView view,
      Tasks tasks,
      List<PoolView> pools,
      List<FlowMonitor.FlowView> flows,
      List<DemandRecords.Report> waiting,
      List<Alert> alerts,
      Sample point,
      long failures) {
    StringWriter text = new StringWriter(4096);
    try (JsonWriter w = new JsonWriter(text)) {
      w.beginObject();
      w.name("title").value(title);
      w.name("at").value(atMillis);
      w.name("role").value(role);
      w.name("sampleFailures").value(failures);
      Map<String, Allocated> allocated = allocated(flows);
      w.name("nodes").beginArray();
      for (NodeInfo n : view.nodes()) {
        node(w, n, atMillis, allocated.get(n.id()), tasks.heldByNode().get(n.id()));
      }
      w.endArray();
      tasks(w, tasks, point);
      w.name("pools").beginArray();
      for (PoolView p : pools) {
        pool(w, p);
      }
      w.endArray();
      w.name("flows").beginArray();
      for (FlowMonitor.FlowView f : flows) {
        flow(w, f);
      }
      w.endArray();
      w.name("waiting").beginArray();
      for (DemandRecords.Report r : waiting) {
        for (PendingWork work : r.work()) {
          w.beginObject();
          w.name("client").value(r.clientId());
          w.name("reportedAt").value(r.reportedAtMillis());
          w.name("count").value(work.count());
          w.name("demand");
          resources(w, work.demand());
          w.name("selector").value(work.selector().toString());
          w.name("reason").value(work.reason());
          w.endObject();
        }
      }
      w.endArray();
      w.name("alerts").beginArray();
      for (Alert a : alerts) {
        AlertJson.state(w, a);
      }
      w.endArray();
      w.name("sample");
      sample(w, point);
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException("a StringWriter does not fail", e);
    }
    return text.toString();
  }

  static String samples(Collection<Sample> points) {
    StringWriter text = new StringWriter(points.size() * 160 + 2);
    try (JsonWriter w = new JsonWriter(text)) {
      w.beginArray();
      for (Sample s : points) {
        sample(w, s);
      }
      w.endArray();
    } catch (IOException e) {
      throw new UncheckedIOException("a StringWriter does not fail", e);
    }
    return text.toString();
  }

  /** What the flows' instances placed on one node ask of it. */
  private record Allocated(long cpuMillis, List<String> instances) {}

  private static Map<String, Allocated> allocated(List<FlowMonitor.FlowView> flows) {
    Map<String, Allocated> byNode = new HashMap<>();
    for (FlowMonitor.FlowView f : flows) {
      if (f.health() == null) {
        continue;
      }
      for (FlowHealth.Partition p : f.health().partitions()) {
        Allocated before = byNode.getOrDefault(p.node(), new Allocated(0, List.of()));
        List<String> instances = new ArrayList<>(before.instances());
        for (String i : p.instances()) {
          instances.add(f.name() + "/" + i);
        }
        byNode.put(p.node(), new Allocated(before.cpuMillis() + p.cpuMillis(), instances));
      }
    }
    return byNode;
  }

  private static void node(JsonWriter w, NodeInfo n, long now, Allocated allocated, Hold tasks)
      throws IOException {
    w.beginObject();
    w.name("id").value(n.id());
    w.name("state").value(n.state().name());
    w.name("provider").value(n.provider());
    w.name("address").value(n.address());
    w.name("labels").beginObject();
    for (Map.Entry<String, String> l : n.labels().entrySet()) {
      w.name(l.getKey()).value(l.getValue());
    }
    w.endObject();
    w.name("capacity");
    resources(w, n.capacity());
    w.name("load").beginObject();
    w.name("inFlight").value(n.load().inFlight());
    w.name("queued").value(n.load().queued());
    w.name("completed").value(n.load().completed());
    w.name("cpu");
    number(w, n.load().cpu() < 0 ? Double.NaN : n.load().cpu());
    w.name("heapUsedBytes").value(n.load().heapUsedBytes());
    w.name("heapMaxBytes").value(n.load().heapMaxBytes());
    w.name("networkBytesPerSec").value(n.load().networkBytesPerSec());
    long reported = n.load().reportedAtMillis();
    w.name("reportAgeMillis");
    if (reported == 0) {
      w.nullValue();
    } else {
      w.value(Math.max(0, now - reported));
    }
    w.endObject();
    w.name("allocated").beginObject();
    w.name("cpuMillis").value(allocated == null ? 0 : allocated.cpuMillis());
    w.name("tasksCpuMillis").value(tasks == null ? 0 : tasks.cpuMillis());
    w.name("tasksMemoryBytes").value(tasks == null ? 0 : tasks.memoryBytes());
    w.name("instances").beginArray();
    if (allocated != null) {
      for (String i : allocated.instances()) {
        w.value(i);
      }
    }
    w.endArray();
    w.endObject();
    w.endObject();
  }

  private static void resources(JsonWriter w, Resources r) throws IOException {
    w.beginObject();
    w.name("cpuMillis").value(r.cpuMillis());
    w.name("memoryBytes").value(r.memoryBytes());
    w.name("networkBytesPerSec").value(r.networkBytesPerSec());
    w.name("custom").beginObject();
    for (Map.Entry<String, Long> c : r.custom().entrySet()) {
      w.name(c.getKey()).value(c.getValue());
    }
    w.endObject();
    w.endObject();
  }

  private static void tasks(JsonWriter w, Tasks t, Sample point) throws IOException {
    w.name("tasks").beginObject();
    w.name("client").value(t.present());
    w.name("submitted").value((long) t.submitted());
    w.name("completed").value((long) t.completed());
    w.name("failed").value((long) t.failed());
    w.name("retried").value((long) t.retried());
    w.name("inFlight").value((long) t.inFlight());
    w.name("waiting").value((long) t.waiting());
    w.name("completedPerSecond");
    number(w, point.completedPerSecond());
    w.name("p50Millis");
    number(w, point.p50Millis());
    w.name("p99Millis");
    number(w, point.p99Millis());
    w.endObject();
  }

  private static void pool(JsonWriter w, PoolView p) throws IOException {
    w.beginObject();
    w.name("name").value(p.name());
    w.name("min").value(p.min());
    w.name("max").value(p.max());
    w.name("size").value(p.size());
    w.name("desired").value(p.desired());
    w.name("running").value(p.running());
    w.name("providers").value(p.providers());
    w.name("decisions").beginArray();
    for (DecisionRecord d : p.decisions()) {
      w.beginObject();
      w.name("at").value(d.at().toEpochMilli());
      w.name("current").value(d.current());
      w.name("desired").value(d.desired());
      w.name("policy").value(d.policy());
      w.name("inputs").value(d.inputs());
      w.name("reason").value(d.reason());
      w.endObject();
    }
    w.endArray();
    w.endObject();
  }

  private static void flow(JsonWriter w, FlowMonitor.FlowView f) throws IOException {
    w.beginObject();
    w.name("name").value(f.name());
    w.name("state").value(f.state().name());
    w.name("failure").value(f.failure() == null ? null : f.failure().message());
    FlowHealth.Report health = f.health();
    w.name("imbalance");
    number(w, health == null ? Double.NaN : health.imbalance());
    w.name("rootCauses").beginArray();
    if (health != null) {
      for (String c : health.diagnosis().rootCauses()) {
        w.value(c);
      }
    }
    w.endArray();
    Map<String, String> nodeOf = f.placement() == null ? Map.of() : f.placement().nodes();
    Map<String, Backpressure.State> states =
        health == null ? Map.of() : health.diagnosis().states();
    w.name("instances").beginArray();
    for (FlowHealth.Instance i : f.instances().values()) {
      w.beginObject();
      w.name("id").value(i.id());
      w.name("node").value(nodeOf.get(i.id()));
      Backpressure.State state = states.get(i.id());
      w.name("state").value(state == null ? null : state.name());
      w.name("busy");
      number(w, i.time().busy());
      w.name("backpressured");
      number(w, i.time().backpressured());
      w.name("idle");
      number(w, i.time().idle());
      w.name("receivedPerSecond");
      number(w, i.receivedPerSecond());
      w.name("emittedPerSecond");
      number(w, i.emittedPerSecond());
      w.name("queued").value(i.queued());
      w.endObject();
    }
    w.endArray();
    w.endObject();
  }

  private static void sample(JsonWriter w, Sample s) throws IOException {
    w.beginObject();
    w.name("at").value(s.atMillis());
    w.name("ready").value(s.ready());
    w.name("others").value(s.others());
    w.name("gone").value(s.gone());
    w.name("inFlight").value(s.inFlight());
    w.name("queued").value(s.queued());
    w.name("completedPerSecond");
    number(w, s.completedPerSecond());
    w.name("p50Millis");
    number(w, s.p50Millis());
    w.name("p99Millis");
    number(w, s.p99Millis());
    w.name("poolSize").value(s.poolSize());
    w.name("poolDesired").value(s.poolDesired());
    w.endObject();
  }

  /** JSON has no NaN: an unknown figure is null. */
  private static void number(JsonWriter w, double v) throws IOException {
    if (Double.isFinite(v)) {
      w.value(Math.round(v * 1000) / 1000.0);
    } else {
      w.nullValue();
    }
  }
}
