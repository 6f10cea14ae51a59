package io.tideflow.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.flow.Backpressure;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.coordinator.FlowPlacer;
import io.tideflow.runtime.flow.FlowProcess;
import io.tideflow.runtime.flow.FlowProcesses;
import io.tideflow.runtime.flow.FlowRecords;
import io.tideflow.runtime.flow.InstanceStats;
import io.tideflow.runtime.flow.InstanceTimes;
import io.tideflow.runtime.flow.Message;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.memory.MemoryClusterStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code tideflow demo --flow}: a flow deployed on an embedded cluster (real gRPC between the
 * workers), a worker killed a third of the way through, and every message accounted for at the
 * sink. A line a second shows progress, the rate at the sink, where instances run and what holds
 * the flow back; the end writes a report with the rate over time.
 */
final class FlowDemo {
  private static final Duration LEASE = Duration.ofSeconds(1);

  private final int workers;
  private final long messages;
  private final long rate;
  private final Path reportDir;
  private final PrintStream out;
  private final Set<Long> distinct = ConcurrentHashMap.newKeySet();
  private final AtomicLong deliveries = new AtomicLong();
  private final CountDownLatch everything = new CountDownLatch(1);

  FlowDemo(int workers, long messages, long rate, Path reportDir, PrintStream out) {
    this.workers = workers;
    this.messages = messages;
    this.rate = rate;
    this.reportDir = reportDir;
    this.out = out;
  }

  /** The sink: remembers every number it takes. */
  private final class Tally implements FlowProcess {
    @Override
    public void onMessage(String port, Message message) {
      deliveries.incrementAndGet();
      distinct.add(ByteBuffer.wrap(message.payload()).getLong());
      if (distinct.size() >= messages) {
        everything.countDown();
      }
    }
  }

  Flow flow() {
    Resources small = Resources.of(100, 64L << 20);
    return Flow.builder("clicks")
        .process(
            new ProcessSpec(
                "source",
                "sequence",
                1,
                small,
                List.of(),
                List.of("out"),
                Map.of("count", "" + messages, "rate", "" + rate)))
        .process(
            new ProcessSpec(
                "parse",
                "spin",
                2 * workers,
                small,
                List.of("in"),
                List.of("out"),
                Map.of("nanos", "20000")))
        .process(new ProcessSpec("count", "tally", 1, small, List.of("in"), List.of()))
        .connect("source.out", "parse.in", Routing.ROUND_ROBIN, 256)
        .connect("parse.out", "count.in", Routing.ROUND_ROBIN, 256)
        .build();
  }

  int run(MeterRegistry registry) throws Exception {
    Flow flow = flow();
    FlowProcesses processes = FlowProcesses.builtins().with("tally", Tally::new);
    List<Double> series = new ArrayList<>();
    int killedAt = -1;
    FlowRecords.Placement p;
    try (MemoryClusterStore store = new MemoryClusterStore();
        Coordinator coordinator =
            Coordinator.start("coordinator-1", store, LEASE, Duration.ofSeconds(5), registry);
        FlowPlacer placer = FlowPlacer.start(store, coordinator, Duration.ofSeconds(5), 0.1)) {
      Map<String, WorkerNode> nodes = new TreeMap<>();
      try {
        for (int i = 1; i <= workers; i++) {
          WorkerConfig config = WorkerConfig.defaults("worker-" + i).withLeaseTtl(LEASE);
          nodes.put(
              config.nodeId(),
              WorkerNode.start(
                  config,
                  store,
                  TaskHandlers.discover(),
                  processes,
                  registry,
                  LinkSecurity.plaintext()));
        }
        out.printf(
            "tideflow demo --flow: %d workers on loopback; flow %s: %s%n",
            workers, flow.name(), describe(flow));
        store
            .put(
                ClusterKeys.flow(flow.name()),
                FlowRecords.encode(flow, Map.of(), System.currentTimeMillis()),
                0)
            .join();
        List<InstanceStats> last = stats(nodes);
        long seen = 0;
        boolean complete = false;
        for (int second = 1; !complete && second <= 300; second++) {
          // A line a second, or at once when the last message arrived.
          complete = everything.await(1, TimeUnit.SECONDS);
          List<InstanceStats> now = stats(nodes);
          long total = deliveries.get();
          series.add((double) (total - seen));
          seen = total;
          Backpressure.Diagnosis why =
              Backpressure.diagnose(flow, InstanceTimes.between(last, now), 0.5);
          last = now;
          out.printf(
              Locale.ROOT,
              "%4ds  delivered %,d/%,d  %,.0f msgs/s  instances %s  held back by %s%n",
              second,
              distinct.size(),
              messages,
              series.get(series.size() - 1),
              perNode(store),
              why.rootCauses().isEmpty() ? "nothing" : String.join(", ", why.rootCauses()));
          if (killedAt < 0 && distinct.size() >= messages / 3) {
            String victim = victim(store, nodes.keySet());
            if (victim != null) {
              out.printf(
                  "%n>>> killing %s (its connections drop, its lease is left to expire)%n", victim);
              WorkerNode node = nodes.remove(victim);
              store.suspendKeepAlive(node.registration().lease().id());
              node.kill();
              killedAt = second;
            }
          }
        }
        // Read before the workers stop: their leaving would make a placement of its own.
        p = placement(store);
      } finally {
        for (WorkerNode node : nodes.values()) {
          node.close();
        }
      }
      long lost = messages - distinct.size();
      out.printf(
          Locale.ROOT,
          "%ndelivered %,d of %,d distinct messages, %,d twice (taken by the dead node, not yet safe), lost %,d%n",
          distinct.size(),
          messages,
          deliveries.get() - distinct.size(),
          lost);
      out.printf("placement: epoch %d (%s)%n", p.epoch(), p.reason());
      Path report = writeReport(series, killedAt);
      out.println("report: " + report.toAbsolutePath());
      out.println(lost == 0 ? "OK: no message was lost" : "FAILED: messages were lost");
      return lost == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }

  private static String describe(Flow flow) {
    List<String> parts = new ArrayList<>();
    for (ProcessSpec p : flow.processes()) {
      parts.add(p.name() + "×" + p.parallelism());
    }
    return String.join(" -> ", parts);
  }

  private static List<InstanceStats> stats(Map<String, WorkerNode> nodes) {
    List<InstanceStats> all = new ArrayList<>();
    nodes.values().forEach(n -> all.addAll(n.flows().stats()));
    return all;
  }

  private static FlowRecords.Placement placement(MemoryClusterStore store) {
    return store
        .get(ClusterKeys.placement("clicks"))
        .join()
        .map(kv -> FlowRecords.decodePlacement(kv.value()))
        .orElse(null);
  }

  /** Instances per node, {@code worker-1:3 worker-2:4}. */
  private static String perNode(MemoryClusterStore store) {
    FlowRecords.Placement p = placement(store);
    if (p == null) {
      return "(not placed yet)";
    }
    Map<String, Integer> count = new TreeMap<>();
    p.nodes().values().forEach(n -> count.merge(n, 1, Integer::sum));
    List<String> parts = new ArrayList<>();
    count.forEach((n, c) -> parts.add(n + ":" + c));
    return String.join(" ", parts);
  }

  /** A worker that runs parse instances but neither the source nor the sink, if there is one. */
  private static String victim(MemoryClusterStore store, Set<String> alive) {
    FlowRecords.Placement p = placement(store);
    if (p == null) {
      return null;
    }
    Set<String> keep = Set.of(p.nodes().get("source#0"), p.nodes().get("count#0"));
    return p.nodes().values().stream()
        .filter(n -> !keep.contains(n) && alive.contains(n))
        .findFirst()
        .orElse(null);
  }

  /** An HTML page with the rate at the sink per second as an SVG line, the kill marked. */
  private Path writeReport(List<Double> series, int killedAt) throws IOException {
    Files.createDirectories(reportDir);
    double max = series.stream().mapToDouble(Double::doubleValue).max().orElse(1);
    int w = 720;
    int h = 240;
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < series.size(); i++) {
      double x = 40 + (w - 60) * (series.size() == 1 ? 0 : (double) i / (series.size() - 1));
      double y = h - 30 - (h - 50) * series.get(i) / Math.max(1, max);
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    String kill = "";
    if (killedAt > 0 && series.size() > 1) {
      double x = 40 + (w - 60) * (double) (killedAt - 1) / (series.size() - 1);
      kill =
          String.format(
              Locale.ROOT,
              "<line x1='%.1f' y1='20' x2='%.1f' y2='%d' stroke='#c0392b' stroke-dasharray='4'/>"
                  + "<text x='%.1f' y='16' fill='#c0392b' font-size='12'>worker killed</text>",
              x,
              x,
              h - 30,
              x - 30);
    }
    String html =
        String.format(
            Locale.ROOT,
            "<!doctype html><html><head><meta charset='utf-8'><title>tideflow demo --flow</title></head>"
                + "<body style='font-family:sans-serif'><h1>Flow demo: messages per second at the sink</h1>"
                + "<p>%d workers, %,d messages at %,d msgs/s; %,d delivered, %,d twice, %,d lost.</p>"
                + "<svg width='%d' height='%d' style='border:1px solid #ccc'>"
                + "<polyline fill='none' stroke='#2471a3' stroke-width='2' points='%s'/>%s"
                + "<text x='4' y='34' font-size='11'>%,.0f</text><text x='4' y='%d' font-size='11'>0</text>"
                + "<text x='%d' y='%d' font-size='11'>seconds</text></svg></body></html>",
            workers,
            messages,
            rate,
            distinct.size(),
            deliveries.get() - distinct.size(),
            messages - distinct.size(),
            w,
            h,
            points,
            kill,
            max,
            h - 30,
            w - 60,
            h - 8);
    Path file = reportDir.resolve("index.html");
    Files.writeString(file, html, StandardCharsets.UTF_8);
    return file;
  }
}
