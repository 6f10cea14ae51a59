package io.tideflow.runtime.coordinator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tideflow.core.flow.Backpressure;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.FlowHealth;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.runtime.flow.FlowRecords;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The flows' health monitor: every {@link #PERIOD} it reads what is deployed, where it is placed,
 * what failed and what the nodes report of their instances, and makes of it one view per flow
 * ({@link FlowHealth}): its partitions with their load, its balance, where it is held back and the
 * parallelism DS2 finds each process needs (the leader's {@link FlowPlacer#scaleWith} acts on it
 * for flows deployed with a {@code maxParallelism}). It serves that view as text ({@link
 * #describe}, a coordinator's {@code /flows}) and as gauges. Reads only: any coordinator may run
 * one, leading or not.
 */
public final class FlowMonitor implements AutoCloseable {
  private static final Logger LOG = System.getLogger(FlowMonitor.class.getName());

  /** How often the store is read. */
  public static final Duration PERIOD = Duration.ofSeconds(2);

  /** A flow's state as the cluster sees it. */
  public enum State {
    NOT_PLACED,
    RUNNING,
    FAILED
  }

  /**
   * One flow at one look.
   *
   * @param flow the flow as deployed
   * @param placement null while it is not placed
   * @param failure null unless its deployment failed
   * @param instances what the nodes last reported, by instance
   */
  public record FlowView(
      Flow flow,
      String name,
      long deployedAtMillis,
      State state,
      FlowRecords.Placement placement,
      FlowRecords.Failure failure,
      FlowHealth.Report health,
      Map<String, FlowHealth.Instance> instances) {}

  private final ClusterStore store;
  private final Duration timeout;
  private final ScheduledExecutorService loop;
  private volatile List<FlowView> flows = List.of();
  private MultiGauge partitions;
  private MultiGauge partitionLoad;
  private MultiGauge partitionInstances;
  private MultiGauge partitionReceived;
  private MultiGauge imbalance;
  private MultiGauge cut;
  private MultiGauge failed;
  private MultiGauge backpressured;
  private MultiGauge recommended;

  private FlowMonitor(ClusterStore store, Duration timeout) {
    this.store = store;
    this.timeout = timeout;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("flow-monitor").unstarted(r));
  }

  /** Starts looking at the flows in {@code store}, publishing gauges to {@code registry}. */
  public static FlowMonitor start(ClusterStore store, Duration timeout, MeterRegistry registry) {
    FlowMonitor m = new FlowMonitor(store, timeout);
    m.bindMetrics(registry);
    m.loop.scheduleWithFixedDelay(m::refreshQuietly, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    return m;
  }

  private void bindMetrics(MeterRegistry registry) {
    partitions =
        gauge(registry, "tideflow.flow.partitions", null, "Nodes a flow's instances are placed on");
    partitionLoad =
        gauge(
            registry,
            "tideflow.flow.partition.load",
            null,
            "The cpu a flow's instances ask of a node, over the node's capacity");
    partitionInstances =
        gauge(registry, "tideflow.flow.partition.instances", null, "A flow's instances on a node");
    partitionReceived =
        gauge(
            registry,
            "tideflow.flow.partition.received",
            "messages",
            "Messages per second a flow's instances on a node take");
    imbalance =
        gauge(
            registry,
            "tideflow.flow.imbalance",
            null,
            "How far a flow's fullest partition is over the mean, by cpu");
    cut =
        gauge(
            registry,
            "tideflow.flow.cut",
            "messages",
            "Messages per second a flow's placement expects to cross nodes");
    failed =
        gauge(registry, "tideflow.flow.failed", null, "1 while a flow's deployment has failed");
    backpressured =
        gauge(
            registry,
            "tideflow.flow.backpressured",
            null,
            "A flow's instances that spent half their last period held back");
    recommended =
        gauge(
            registry,
            "tideflow.flow.parallelism.recommended",
            null,
            "The instances of a process DS2 finds its flow needs, from the last rates");
  }

  private static MultiGauge gauge(
      MeterRegistry registry, String name, String unit, String description) {
    return MultiGauge.builder(name).description(description).baseUnit(unit).register(registry);
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      // The store is away or a record does not decode: the last view stays, the next look retries.
      LOG.log(Level.WARNING, "looking at the flows failed, trying again: " + e);
    }
  }

  /** One look at the store; the loop's thread. */
  private void refresh() {
    List<FlowView> views = look(store, timeout);
    flows = views;
    publish(views);
  }

  /**
   * Every deployed flow as the store has it now: its deployment, placement and failure, what its
   * nodes last reported and the health made of that.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store does not answer in time
   */
  public static List<FlowView> look(ClusterStore store, Duration timeout) {
    Map<String, FlowRecords.Placement> placements = new HashMap<>();
    for (KeyValue kv : list(store, timeout, ClusterKeys.PLACEMENTS)) {
      FlowRecords.Placement p = FlowRecords.decodePlacement(kv.value());
      placements.put(p.flow(), p);
    }
    Map<String, FlowRecords.Failure> failures = new HashMap<>();
    for (KeyValue kv : list(store, timeout, ClusterKeys.FLOW_FAILURES)) {
      FlowRecords.Failure f = FlowRecords.decodeFailure(kv.value());
      failures.put(f.flow(), f);
    }
    Map<String, List<FlowRecords.NodeStats>> stats = new HashMap<>();
    for (KeyValue kv : list(store, timeout, ClusterKeys.FLOW_STATS)) {
      FlowRecords.NodeStats s = FlowRecords.decodeStats(kv.value());
      stats.computeIfAbsent(s.flow(), f -> new ArrayList<>()).add(s);
    }
    Map<String, Long> capacities = new HashMap<>();
    for (KeyValue kv : list(store, timeout, ClusterKeys.NODES)) {
      NodeInfo n = NodeRecords.decode(kv.key(), kv.value());
      capacities.put(n.id(), n.capacity().cpuMillis());
    }
    List<FlowView> views = new ArrayList<>();
    for (KeyValue kv : list(store, timeout, ClusterKeys.FLOWS)) {
      FlowRecords.Deployed d;
      try {
        d = FlowRecords.decode(kv.value());
      } catch (IllegalArgumentException e) {
        continue; // the placer says so already
      }
      String name = d.flow().name();
      long generation = d.deployedAtMillis();
      FlowRecords.Placement p = placements.get(name);
      if (p != null && p.deployedAtMillis() != generation) {
        p = null; // a former deployment's: the new one is not placed yet
      }
      FlowRecords.Failure f = failures.get(name);
      if (f != null && f.deployedAtMillis() != generation) {
        f = null;
      }
      Map<String, FlowHealth.Instance> reported = new LinkedHashMap<>();
      for (FlowRecords.NodeStats s : stats.getOrDefault(name, List.of())) {
        if (s.deployedAtMillis() == generation) {
          for (FlowHealth.Instance i : s.instances()) {
            // An instance placed again reports from its new node too: the node it is placed on
            // now speaks for it.
            if (p == null || s.node().equals(p.nodes().get(i.id()))) {
              reported.put(i.id(), i);
            }
          }
        }
      }
      FlowHealth.Report health =
          FlowHealth.of(d.flow(), p == null ? Map.of() : p.nodes(), reported, capacities);
      State state = f != null ? State.FAILED : p == null ? State.NOT_PLACED : State.RUNNING;
      views.add(
          new FlowView(d.flow(), name, generation, state, p, f, health, Map.copyOf(reported)));
    }
    return List.copyOf(views);
  }

  private static List<KeyValue> list(ClusterStore store, Duration timeout, String prefix) {
    return StoreCalls.await(store.list(prefix), timeout, "list " + prefix).kvs();
  }

  private void publish(List<FlowView> views) {
    List<MultiGauge.Row<?>> perFlowPartitions = new ArrayList<>();
    List<MultiGauge.Row<?>> loads = new ArrayList<>();
    List<MultiGauge.Row<?>> instances = new ArrayList<>();
    List<MultiGauge.Row<?>> received = new ArrayList<>();
    List<MultiGauge.Row<?>> imbalances = new ArrayList<>();
    List<MultiGauge.Row<?>> cuts = new ArrayList<>();
    List<MultiGauge.Row<?>> failures = new ArrayList<>();
    List<MultiGauge.Row<?>> held = new ArrayList<>();
    List<MultiGauge.Row<?>> sizes = new ArrayList<>();
    for (FlowView v : views) {
      Tags flow = Tags.of("flow", v.name());
      v.health()
          .parallelism()
          .forEach((process, n) -> sizes.add(MultiGauge.Row.of(flow.and("process", process), n)));
      perFlowPartitions.add(MultiGauge.Row.of(flow, v.health().partitions().size()));
      imbalances.add(MultiGauge.Row.of(flow, v.health().imbalance()));
      cuts.add(MultiGauge.Row.of(flow, v.placement() == null ? 0 : v.placement().cut()));
      failures.add(MultiGauge.Row.of(flow, v.state() == State.FAILED ? 1 : 0));
      held.add(
          MultiGauge.Row.of(
              flow,
              v.health().diagnosis().states().values().stream()
                  .filter(s -> s == Backpressure.State.BACKPRESSURED)
                  .count()));
      for (FlowHealth.Partition p : v.health().partitions()) {
        Tags tags = flow.and("node", p.node());
        loads.add(MultiGauge.Row.of(tags, p.load()));
        instances.add(MultiGauge.Row.of(tags, p.instances().size()));
        received.add(MultiGauge.Row.of(tags, p.receivedPerSecond()));
      }
    }
    partitions.register(perFlowPartitions, true);
    partitionLoad.register(loads, true);
    partitionInstances.register(instances, true);
    partitionReceived.register(received, true);
    imbalance.register(imbalances, true);
    cut.register(cuts, true);
    failed.register(failures, true);
    backpressured.register(held, true);
    recommended.register(sizes, true);
  }

  /** The flows at the last look, in store order. */
  public List<FlowView> flows() {
    return flows;
  }

  /**
   * Every flow at the last look, for people: state, partitions with their load, each instance's
   * rates and time split, and the root causes of backpressure.
   */
  public String describe() {
    return describe(flows);
  }

  /** {@code views} for people, as {@link #describe()}. */
  public static String describe(List<FlowView> views) {
    if (views.isEmpty()) {
      return "no flow deployed\n";
    }
    StringBuilder b = new StringBuilder();
    for (FlowView v : views) {
      b.append("flow ")
          .append(v.name())
          .append(": ")
          .append(v.state())
          .append(" (deployed ")
          .append(Instant.ofEpochMilli(v.deployedAtMillis()))
          .append(")\n");
      if (v.failure() != null) {
        b.append("  failed: instance ")
            .append(v.failure().instance())
            .append(" on ")
            .append(v.failure().node())
            .append(": ")
            .append(v.failure().message())
            .append('\n');
      }
      if (v.placement() != null) {
        b.append(
            String.format(
                Locale.ROOT,
                "  epoch %d (%s): %d partitions, imbalance %.1f%%, %d msgs/s expected across"
                    + " nodes%n",
                v.placement().epoch(),
                v.placement().reason(),
                v.health().partitions().size(),
                100 * v.health().imbalance(),
                v.placement().cut()));
      }
      for (FlowHealth.Partition p : v.health().partitions()) {
        b.append(
            String.format(
                Locale.ROOT,
                "  %s: %d instances, %d millicores (%.0f%% of the node), %.0f msgs/s in%n",
                p.node(),
                p.instances().size(),
                p.cpuMillis(),
                100 * p.load(),
                p.receivedPerSecond()));
        for (String id : p.instances()) {
          FlowHealth.Instance i = v.instances().get(id);
          if (i == null) {
            b.append("    ").append(id).append(": no report yet\n");
            continue;
          }
          b.append(
              String.format(
                  Locale.ROOT,
                  "    %s: %s, busy %.0f%% backpressured %.0f%% idle %.0f%%, %.0f msgs/s in,"
                      + " %.0f out, %d queued%n",
                  id,
                  v.health().diagnosis().states().get(id),
                  100 * i.time().busy(),
                  100 * i.time().backpressured(),
                  100 * i.time().idle(),
                  i.receivedPerSecond(),
                  i.emittedPerSecond(),
                  i.queued()));
        }
      }
      b.append(summary(v));
    }
    return b.toString();
  }

  /**
   * The instances that hold {@code v} back and the parallelism changes DS2 finds it needs, a line
   * each; empty when there is neither.
   */
  public static String summary(FlowView v) {
    StringBuilder b = new StringBuilder();
    List<String> causes = v.health().diagnosis().rootCauses();
    if (!causes.isEmpty()) {
      b.append("  held back by ").append(String.join(", ", causes)).append('\n');
    }
    List<String> changes = new ArrayList<>();
    v.health()
        .parallelism()
        .forEach(
            (process, n) -> {
              int now = v.flow().process(process).parallelism();
              if (n != now) {
                changes.add(process + " " + now + " -> " + n);
              }
            });
    if (!changes.isEmpty()) {
      b.append("  DS2 parallelism: ").append(String.join(", ", changes)).append('\n');
    }
    return b.toString();
  }

  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
