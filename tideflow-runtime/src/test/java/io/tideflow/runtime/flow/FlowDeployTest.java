package io.tideflow.runtime.flow;

import static io.tideflow.runtime.flow.TestFlows.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.coordinator.FlowMonitor;
import io.tideflow.runtime.coordinator.FlowPlacer;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Flows deployed through a real etcd: the leader places them, every worker runs its share. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FlowDeployTest {
  private static final Duration TTL = Duration.ofSeconds(2);

  private final Queue<Long> seen = new ConcurrentLinkedQueue<>();
  private final Queue<Long> seenAgain = new ConcurrentLinkedQueue<>();
  private final Map<String, WorkerNode> workers = new HashMap<>();
  private final Map<String, ClusterStore> stores = new HashMap<>();
  private EtcdProcess etcd;
  private ClusterStore store;
  private Coordinator coordinator;
  private FlowPlacer placer;

  @BeforeEach
  void startCluster() throws Exception {
    etcd = EtcdProcess.start();
    store = ClusterStores.open(etcd.uri());
    coordinator =
        Coordinator.start("c1", store, TTL, Duration.ofSeconds(5), new SimpleMeterRegistry());
    placer = FlowPlacer.start(store, coordinator, Duration.ofSeconds(5), 0.1);
    await().until(coordinator::isLeader);
    for (String id : List.of("w1", "w2", "w3")) {
      worker(id);
    }
  }

  private void worker(String id) {
    worker(id, WorkerConfig.defaults(id));
  }

  /** Each worker has a store connection of its own, as a worker process would. */
  private void worker(String id, WorkerConfig config) {
    ClusterStore own = ClusterStores.open(etcd.uri());
    stores.put(id, own);
    FlowProcesses processes =
        FlowProcesses.builtins()
            .with("collect", () -> new FlowNodeTest.Collect(seen))
            .with("collect-again", () -> new FlowNodeTest.Collect(seenAgain))
            .with("fail-after", FailAfter::new)
            .with("total", Total::new)
            .with("hoard", Hoard::new)
            .with("slow", Slow::new)
            .with("keyed-total", TestFlows.KeyedTotal::new);
    workers.put(
        id,
        WorkerNode.start(
            config.withLeaseTtl(TTL),
            own,
            TaskHandlers.builtins(),
            processes,
            new SimpleMeterRegistry(),
            LinkSecurity.plaintext()));
  }

  @AfterEach
  void stopCluster() throws Exception {
    workers.values().forEach(WorkerNode::close);
    for (ClusterStore s : stores.values()) {
      s.close();
    }
    placer.close();
    coordinator.close();
    store.close();
    etcd.close();
  }

  private long deploy(Flow flow) {
    long generation = System.currentTimeMillis();
    FlowRecords.Placement current = placement(flow.name());
    if (current != null) {
      generation = Math.max(generation, current.deployedAtMillis() + 1);
    }
    store
        .put(ClusterKeys.flow(flow.name()), FlowRecords.encode(flow, Map.of(), generation), 0)
        .join();
    return generation;
  }

  private static Flow sourcePassSink(String name, String count, String rate, String sink) {
    return sourceMapSink(name, 1, count, rate, "pass", Map.of(), sink);
  }

  /** {@code sources} sequence sources, 3 instances of {@code map}, {@code sources} sinks. */
  private static Flow sourceMapSink(
      String name,
      int sources,
      String count,
      String rate,
      String map,
      Map<String, String> mapProperties,
      String sink) {
    return Flow.builder(name)
        .process(
            process(
                "source",
                "sequence",
                sources,
                List.of(),
                List.of("out"),
                Map.of("count", count, "rate", rate)))
        .process(process("map", map, 3, List.of("in"), List.of("out"), mapProperties))
        .process(process("sink", sink, sources, List.of("in"), List.of(), Map.of()))
        .connect("source.out", "map.in", Routing.ROUND_ROBIN, 32)
        .connect("map.out", "sink.in", Routing.ROUND_ROBIN, 32)
        .build();
  }

  @Test
  void aFlowDeployedAgainWithTheSameInstancesReplacesTheOldOneAndMixesNothing() {
    // The first deployment runs without end; the second, under the same name and with the same
    // instances, sends 0..4999 to a sink of its own. Any message of the first reaching it shows.
    deploy(sourcePassSink("again", "0", "5000", "collect"));
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() > 1000);
    FlowRecords.Placement first = placement("again");

    long second = deploy(sourcePassSink("again", "5000", "0", "collect-again"));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> placement("again").deployedAtMillis() == second);
    FlowRecords.Placement after = placement("again");
    assertThat(after.reason()).isEqualTo("deployed again");
    assertThat(after.epoch()).isGreaterThan(first.epoch());
    await().atMost(Duration.ofSeconds(30)).until(() -> seenAgain.size() >= 5000);
    // Every instance of the first deployment is gone from every worker.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                workers.values().stream()
                    .flatMap(w -> w.flows().executions().stream())
                    .allMatch(e -> e.generation() == second));
    assertThat(seenAgain).hasSize(5000);
    assertThat(new HashSet<>(seenAgain))
        .isEqualTo(
            java.util.stream.LongStream.range(0, 5000)
                .boxed()
                .collect(java.util.stream.Collectors.toSet()));
  }

  /** Passes messages on; instance {@code instance} throws at message {@code after}. */
  static final class FailAfter implements FlowProcess {
    private Output out;
    private long left = Long.MAX_VALUE;

    @Override
    public void open(ProcessContext context) {
      out = context.output("out");
      if (context.instance() == Integer.parseInt(context.property("instance", "0"))) {
        left = Long.parseLong(context.property("after", "100"));
      }
    }

    @Override
    public void onMessage(String port, Message message) throws InterruptedException {
      if (--left < 0) {
        throw new IllegalStateException("broke on purpose");
      }
      out.emit(message.payload());
    }
  }

  @Test
  void anInstanceThatFailsStopsTheFlowOnEveryNodeUntilItIsDeployedAgain() {
    Flow flow =
        sourceMapSink(
            "breaks",
            3,
            "0",
            "2000",
            "fail-after",
            Map.of("instance", "1", "after", "300"),
            "collect");
    long generation = deploy(flow);

    await().atMost(Duration.ofSeconds(30)).until(() -> failure("breaks") != null);
    FlowRecords.Failure f = failure("breaks");
    assertThat(f.instance()).isEqualTo("map#1");
    assertThat(f.node()).isEqualTo(placement("breaks").nodes().get("map#1"));
    assertThat(f.deployedAtMillis()).isEqualTo(generation);
    assertThat(f.message()).contains("broke on purpose");
    // The endless sources on the other nodes stop too, and nothing of the deployment restarts.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> workers.values().stream().allMatch(w -> w.flows().executions().isEmpty()));
    int seenAtStop = seen.size();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                seen.size() == seenAtStop
                    && workers.values().stream().allMatch(w -> w.flows().executions().isEmpty()));

    // Deployed again, it runs again, and the former deployment's failure goes.
    long again = deploy(flow);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              FlowRecords.Failure now = failure("breaks");
              return seen.size() > seenAtStop && (now == null || now.deployedAtMillis() == again);
            });
  }

  @Test
  void theMonitorShowsPartitionsLoadAndTheInstanceThatHoldsTheFlowBack() {
    // An unpaced source into one instance that works 200 µs a message: it is the bottleneck.
    Flow flow =
        Flow.builder("slow")
            .process(
                process("source", "sequence", 2, List.of(), List.of("out"), Map.of("count", "0")))
            .process(
                process(
                    "work", "spin", 1, List.of("in"), List.of("out"), Map.of("nanos", "200000")))
            .process(process("sink", "discard", 2, List.of("in"), List.of(), Map.of()))
            .connect("source.out", "work.in", Routing.ROUND_ROBIN, 32)
            .connect("work.out", "sink.in", Routing.ROUND_ROBIN, 32)
            .build();
    deploy(flow);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (FlowMonitor monitor = FlowMonitor.start(store, Duration.ofSeconds(5), registry)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  monitor.flows().stream()
                      .anyMatch(
                          v ->
                              v.name().equals("slow")
                                  && v.instances().size() == 5
                                  && v.health()
                                      .diagnosis()
                                      .rootCauses()
                                      .equals(List.of("work#0"))));
      FlowMonitor.FlowView v = monitor.flows().get(0);
      assertThat(v.state()).isEqualTo(FlowMonitor.State.RUNNING);
      assertThat(v.health().unreported()).isEmpty();
      int nodes = new HashSet<>(v.placement().nodes().values()).size();
      assertThat(v.health().partitions()).hasSize(nodes);
      assertThat(v.instances().get("work#0").receivedPerSecond()).isPositive();
      assertThat(v.instances().get("source#0").time().backpressured()).isGreaterThan(0.5);
      assertThat(registry.get("tideflow.flow.partitions").tag("flow", "slow").gauge().value())
          .isEqualTo(nodes);
      String workNode = v.placement().nodes().get("work#0");
      assertThat(
              registry
                  .get("tideflow.flow.partition.instances")
                  .tags("flow", "slow", "node", workNode)
                  .gauge()
                  .value())
          .isPositive();
      assertThat(monitor.describe())
          .contains("flow slow: RUNNING")
          .contains(nodes + " partitions")
          .contains("work#0: BUSY")
          .contains("held back by work#0")
          .contains("DS2 parallelism: ")
          .containsPattern("work 1 -> [0-9]+");
      assertThat(v.health().parallelism().get("work")).isGreaterThan(1);
      assertThat(
              registry
                  .get("tideflow.flow.parallelism.recommended")
                  .tags("flow", "slow", "process", "work")
                  .gauge()
                  .value())
          .isGreaterThan(1);
      // A worker's stream gauges say its links are up.
      String sourceNode = v.placement().nodes().get("source#0");
      if (!sourceNode.equals(workNode)) {
        assertThat(workers.get(sourceNode).flows().streamTargets()).contains(workNode);
      }
    }
  }

  /** An instance of {@code process} on a node that has neither source#0 nor sink#0. */
  private static String apartFromSourceAndSink(FlowRecords.Placement p, String process) {
    String source = p.nodes().get("source#0");
    String sink = p.nodes().get("sink#0");
    return p.nodes().entrySet().stream()
        .filter(
            e ->
                e.getKey().startsWith(process + "#")
                    && !e.getValue().equals(source)
                    && !e.getValue().equals(sink))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + process + " apart from source and sink: " + p));
  }

  private FlowRecords.Failure failure(String flow) {
    return store
        .get(ClusterKeys.flowFailure(flow))
        .join()
        .map(kv -> FlowRecords.decodeFailure(kv.value()))
        .orElse(null);
  }

  private FlowRecords.Placement placement(String flow) {
    return store
        .get(ClusterKeys.placement(flow))
        .join()
        .map(kv -> FlowRecords.decodePlacement(kv.value()))
        .orElse(null);
  }

  @Test
  void instancesAskingForAGpuRunOnlyOnTheWorkerThatHasThem() {
    WorkerConfig gpuNode = WorkerConfig.defaults("g1");
    Resources c = gpuNode.capacity();
    worker(
        "g1",
        gpuNode.withCapacity(new Resources(c.cpuMillis(), c.memoryBytes(), 0, Map.of("gpu", 2L))));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.list(ClusterKeys.NODES).join().kvs().size() == 4);
    Flow flow =
        Flow.builder("gpus")
            .process(
                process(
                    "source", "sequence", 3, List.of(), List.of("out"), Map.of("count", "1000")))
            .process(
                new ProcessSpec(
                    "model",
                    "pass",
                    2,
                    new Resources(100, 1 << 20, 0, Map.of("gpu", 1L)),
                    List.of("in"),
                    List.of("out"),
                    Map.of()))
            .process(process("sink", "collect", 3, List.of("in"), List.of(), Map.of()))
            .connect("source.out", "model.in", Routing.ROUND_ROBIN, 32)
            .connect("model.out", "sink.in", Routing.ROUND_ROBIN, 32)
            .build();
    deploy(flow);

    await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() >= 1000);
    assertThat(new HashSet<>(seen)).hasSize(1000);
    FlowRecords.Placement p = placement("gpus");
    assertThat(p.nodes()).containsEntry("model#0", "g1").containsEntry("model#1", "g1");
  }

  @Test
  void runsADeployedFlowAcrossTheWorkersAndAccountsForEveryMessage() {
    Flow flow =
        Flow.builder("thousand")
            .process(
                process(
                    "source", "sequence", 3, List.of(), List.of("out"), Map.of("count", "1000")))
            .process(process("map", "pass", 3, List.of("in"), List.of("out"), Map.of()))
            .process(process("sink", "collect", 3, List.of("in"), List.of(), Map.of()))
            .connect("source.out", "map.in", Routing.ROUND_ROBIN, 32)
            .connect("map.out", "sink.in", Routing.KEYED, 32)
            .build();
    deploy(flow);

    await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() >= 1000);
    assertThat(new HashSet<>(seen)).hasSize(1000);
    FlowRecords.Placement p = placement("thousand");
    assertThat(p.nodes()).hasSize(9);
    assertThat(new HashSet<>(p.nodes().values())).containsExactlyInAnyOrder("w1", "w2", "w3");
    assertThat(p.reason()).isEqualTo("first placement");
  }

  @Test
  void placesAgainAndLosesNothingWhenAWorkerDiesMidFlow() {
    int total = 30_000;
    Flow flow = TestFlows.sourceWorkSink("survive", total, 3, Routing.ROUND_ROBIN);
    deploy(flow);
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() > total / 5);
    FlowRecords.Placement before = placement("survive");
    String victim = before.nodes().get(apartFromSourceAndSink(before, "work"));

    // As a crash: the node stops serving and its lease is no longer kept alive.
    workers.remove(victim).kill();
    stores.remove(victim).close();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> placement("survive").epoch() > before.epoch());
    FlowRecords.Placement after = placement("survive");
    assertThat(after.nodes().values()).doesNotContain(victim);
    assertThat(after.reason()).contains(victim);
    await().atMost(Duration.ofSeconds(60)).until(() -> new HashSet<>(seen).size() >= total);
    assertThat(new HashSet<>(seen)).hasSize(total);
  }

  /**
   * Adds up the numbers it takes and writes the total once its input ends: all its work is state,
   * nothing of it is written before the end.
   */
  static final class Total implements StatefulProcess {
    private Output out;
    private long sum;
    private long count;

    @Override
    public void open(ProcessContext context) {
      out = context.output("out");
    }

    @Override
    public void onMessage(String port, Message message) {
      sum += java.nio.ByteBuffer.wrap(message.payload()).getLong();
      count++;
    }

    @Override
    public void finish() throws InterruptedException {
      out.emit(java.nio.ByteBuffer.allocate(16).putLong(sum).putLong(count).array());
    }

    @Override
    public byte[] snapshot() {
      return java.nio.ByteBuffer.allocate(16).putLong(sum).putLong(count).array();
    }

    @Override
    public void restore(byte[] state) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(state);
      sum = b.getLong();
      count = b.getLong();
    }
  }

  /** Keeps every message it takes, so that its state outgrows what a store value holds. */
  static final class Hoard implements StatefulProcess {
    private final java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();

    @Override
    public void onMessage(String port, Message message) {
      held.writeBytes(message.payload());
    }

    @Override
    public byte[] snapshot() {
      return held.toByteArray();
    }

    @Override
    public void restore(byte[] state) {
      held.writeBytes(state);
    }
  }

  @Test
  void aStatefulInstancePlacedAgainGoesOnFromItsStateAndCountsEveryInputOnce() {
    int total = 20_000;
    Flow flow = totals(total);
    long generation = deploy(flow);
    await().atMost(Duration.ofSeconds(30)).until(() -> placement("totals") != null);
    FlowRecords.Placement before = placement("totals");
    String victimInstance = apartFromSourceAndSink(before, "total");
    String victim = before.nodes().get(victimInstance);
    // Its state is kept in the store as it goes; the source keeps its position there too.
    awaitStateCount(generation, victimInstance, 1000);
    assertThat(store.get(ClusterKeys.flowState("totals", generation, "source#0")).join())
        .isPresent();

    workers.remove(victim).kill();
    stores.remove(victim).close();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> placement("totals").epoch() > before.epoch());
    assertThat(placement("totals").nodes().values()).doesNotContain(victim);
    await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() >= 3);
    assertThat(seen).hasSize(3);
    // Without its state the instance placed again would have lost the sum of what it had taken.
    assertThat(seen.stream().mapToLong(Long::longValue).sum())
        .isEqualTo((long) total * (total - 1) / 2);

    // Deployed again, the former deployment's states go.
    long again = deploy(flow);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                placement("totals").deployedAtMillis() == again
                    && store
                        .get(ClusterKeys.flowState("totals", generation, victimInstance))
                        .join()
                        .isEmpty());
  }

  @Test
  void aSourcePlacedAgainGoesOnFromItsPositionRatherThanFromTheStart() {
    int total = 20_000;
    deploy(sourceMapSink("resume", 1, "" + total, "4000", "pass", Map.of(), "collect"));
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() > 4000);
    String victim = placement("resume").nodes().get("source#0");
    long epoch = placement("resume").epoch();

    workers.remove(victim).kill();
    stores.remove(victim).close();
    int seenAtKill = seen.size();

    await().atMost(Duration.ofSeconds(30)).until(() -> placement("resume").epoch() > epoch);
    await().atMost(Duration.ofSeconds(60)).until(() -> new HashSet<>(seen).size() >= total);
    assertThat(new HashSet<>(seen)).hasSize(total);
    // Started over, it would have sent again all it had sent before its node died.
    assertThat(seen.size() - total).isLessThan(seenAtKill / 2);
  }

  @Test
  void aDrainedWorkerHandsItsInstancesOverAndNoMessageIsLostOrRepeated() {
    int total = 20_000;
    deploy(sourceMapSink("handover", 1, "" + total, "4000", "pass", Map.of(), "collect"));
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() > 4000);
    FlowRecords.Placement before = placement("handover");
    String victim = before.nodes().get("source#0");

    WorkerNode.DrainResult drained = workers.get(victim).drain(Duration.ofSeconds(60));

    assertThat(drained.drained()).as("drain of %s: %s", victim, drained).isTrue();
    assertThat(workers.get(victim).flows().executions()).isEmpty();
    await().atMost(Duration.ofSeconds(30)).until(() -> !placement("handover").paused());
    FlowRecords.Placement after = placement("handover");
    assertThat(after.nodes().values()).doesNotContain(victim);
    assertThat(after.reason()).contains(victim + " draining");
    await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() >= total);
    // The source went on from where it held still, and nothing in flight was sent twice.
    assertThat(new HashSet<>(seen)).hasSize(total);
    assertThat(seen).hasSize(total);
  }

  @Test
  void aStatefulInstanceHandedOverFromADrainedWorkerCountsEveryInputOnce() {
    int total = 20_000;
    long generation = deploy(totals(total));
    await().atMost(Duration.ofSeconds(30)).until(() -> placement("totals") != null);
    String victimInstance = apartFromSourceAndSink(placement("totals"), "total");
    String victim = placement("totals").nodes().get(victimInstance);
    awaitStateCount(generation, victimInstance, 1000);

    assertThat(workers.get(victim).drain(Duration.ofSeconds(60)).drained()).isTrue();

    assertThat(placement("totals").nodes().values()).doesNotContain(victim);
    await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() >= 3);
    assertThat(seen).hasSize(3);
    assertThat(seen.stream().mapToLong(Long::longValue).sum())
        .isEqualTo((long) total * (total - 1) / 2);
  }

  @Test
  void aJoinedWorkerTakesInstancesOverWhileTheFlowRunsAndNoMessageIsLostOrRepeated() {
    int total = 30_000;
    deploy(sourceMapSink("spread", 2, "" + total, "3000", "pass", Map.of(), "collect"));
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() > 4000);
    assertThat(placement("spread").over()).containsExactly("w1", "w2", "w3");

    worker("w4");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              FlowRecords.Placement p = placement("spread");
              return p.nodes().containsValue("w4") && !p.paused();
            });
    assertThat(placement("spread").reason()).contains("w4 joined");
    await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() >= total);
    // The sources went on from where they held still, and nothing in flight was sent twice.
    assertThat(new HashSet<>(seen)).hasSize(total);
    assertThat(seen).hasSize(total);
  }

  /** Passes each message on after holding it {@code nanos} (1 ms by default), idle meanwhile. */
  static final class Slow implements FlowProcess {
    private Output out;
    private long nanos;

    @Override
    public void open(ProcessContext context) {
      out = context.output("out");
      nanos = Long.parseLong(context.property("nanos", "1000000"));
    }

    @Override
    public void onMessage(String port, Message message) throws InterruptedException {
      java.util.concurrent.locks.LockSupport.parkNanos(nanos);
      out.emit(message.key(), message.payload());
    }
  }

  @Test
  void aSlowProcessGetsTheParallelismDs2FindsWhileTheFlowRunsAndNoMessageIsLostOrRepeated()
      throws Exception {
    int total = 30_000;
    try (FlowMonitor monitor = scaling()) {
      deployScaled(throughOne("scaled", total, "3000", "slow", "slow", 1, Routing.ROUND_ROBIN), 4);

      // One instance takes under 1,000 a second of the 3,000 the source would send: DS2 asks for
      // more, up to the flow's bound.
      await().atMost(Duration.ofSeconds(40)).until(() -> parallelism("scaled", "slow") > 1);
      FlowRecords.Deployed rescaled = deployed("scaled");
      assertThat(rescaled.flow().process("slow").parallelism()).isBetween(3, 4);
      assertThat(rescaled.flow().process("source").parallelism()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() >= total);
      // The source went on from its kept position in the new deployment, nothing sent twice.
      assertThat(new HashSet<>(seen)).hasSize(total);
      assertThat(seen).hasSize(total);
      assertThat(placement("scaled").deployedAtMillis()).isEqualTo(rescaled.deployedAtMillis());
    }
  }

  /** A monitor, and the placer scaling by it: decisions 3 s apart, lower ones after 5 s. */
  private FlowMonitor scaling() {
    FlowMonitor monitor =
        FlowMonitor.start(store, Duration.ofSeconds(5), new SimpleMeterRegistry());
    placer.scaleWith(
        monitor::flows, Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofSeconds(3));
    return monitor;
  }

  /** Deploys {@code flow} to be scaled by DS2 up to {@code maxParallelism}, as `deploy` would. */
  private void deployScaled(Flow flow, int maxParallelism) {
    store
        .put(
            ClusterKeys.flow(flow.name()),
            FlowRecords.encode(
                new FlowRecords.Deployed(
                    flow, Map.of(), System.currentTimeMillis(), maxParallelism)),
            0)
        .join();
  }

  @Test
  void aKeyedStatefulProcessIsRescaledWhileTheFlowRunsAndEveryGroupKeepsItsTotal()
      throws Exception {
    int total = 24_000;
    try (FlowMonitor monitor = scaling()) {
      Flow flow =
          Flow.builder("grouped")
              .process(TestFlows.source(Map.of("count", "" + total, "rate", "3000")))
              .process(
                  process(
                      "count",
                      "keyed-total",
                      1,
                      List.of("in"),
                      List.of("out"),
                      Map.of("nanos", "1000000")))
              .process(process("sink", "collect", 1, List.of("in"), List.of(), Map.of()))
              .connect("source.out", "count.in", Routing.KEYED, 64)
              .connect("count.out", "sink.in", Routing.ROUND_ROBIN, 64)
              .build();
      deployScaled(flow, 4);

      // One instance sums under 1,000 a second of the 3,000 sent: DS2 asks for more, and the
      // groups the first instance summed so far go to the instances that own them now.
      await().atMost(Duration.ofSeconds(40)).until(() -> parallelism("grouped", "count") > 1);
      Set<Long> expected =
          TestFlows.keyedTotals(total, io.tideflow.core.flow.Connection.DEFAULT_KEY_GROUPS);
      await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() >= expected.size());
      assertThat(seen).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void aStatefulInstanceThatKeepsItsParallelismThroughARescaleLosesNoInput() throws Exception {
    int total = 24_000;
    try (FlowMonitor monitor = scaling()) {
      // The source feeds a slow stage that DS2 widens and, beside it, totals that keep their
      // parallelism and their state, from a sender whose parallelism stays too.
      Flow flow =
          Flow.builder("beside")
              .process(TestFlows.source(Map.of("count", "" + total, "rate", "3000")))
              .process(process("slow", "slow", 1, List.of("in"), List.of("out"), Map.of()))
              .process(process("sink", "collect", 1, List.of("in"), List.of(), Map.of()))
              .process(process("total", "total", 2, List.of("in"), List.of("out"), Map.of()))
              .process(process("sum", "collect-again", 1, List.of("in"), List.of(), Map.of()))
              .connect("source.out", "slow.in", Routing.ROUND_ROBIN, 64)
              .connect("slow.out", "sink.in", Routing.ROUND_ROBIN, 64)
              .connect("source.out", "total.in", Routing.KEYED, 64)
              .connect("total.out", "sum.in", Routing.ROUND_ROBIN, 64)
              .build();
      deployScaled(flow, 4);

      await().atMost(Duration.ofSeconds(40)).until(() -> parallelism("beside", "slow") > 1);
      assertThat(parallelism("beside", "total")).isEqualTo(2);
      await().atMost(Duration.ofSeconds(60)).until(() -> seenAgain.size() >= 2);
      assertThat(seenAgain.stream().mapToLong(Long::longValue).sum())
          .isEqualTo((long) total * (total - 1) / 2);
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() >= total);
      assertThat(new HashSet<>(seen)).hasSize(total);
    }
  }

  private FlowRecords.Deployed deployed(String flow) {
    return FlowRecords.decode(store.get(ClusterKeys.flow(flow)).join().orElseThrow().value());
  }

  private int parallelism(String flow, String process) {
    return deployed(flow).flow().process(process).parallelism();
  }

  private static Flow totals(int total) {
    return throughOne("totals", total, "4000", "total", "total", 3, Routing.KEYED);
  }

  /**
   * A {@code sequence} source of {@code total} numbers at {@code rate}, {@code parallelism}
   * instances of {@code type} as {@code process}, and a {@code collect} sink.
   */
  private static Flow throughOne(
      String name,
      int total,
      String rate,
      String process,
      String type,
      int parallelism,
      Routing routing) {
    return Flow.builder(name)
        .process(TestFlows.source(Map.of("count", "" + total, "rate", rate)))
        .process(process(process, type, parallelism, List.of("in"), List.of("out"), Map.of()))
        .process(process("sink", "collect", 1, List.of("in"), List.of(), Map.of()))
        .connect("source.out", process + ".in", routing, 64)
        .connect(process + ".out", "sink.in", Routing.ROUND_ROBIN, 64)
        .build();
  }

  /** Waits until the kept state of a {@code total} instance counts more than {@code count}. */
  private void awaitStateCount(long generation, String instance, long count) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                store
                    .get(ClusterKeys.flowState("totals", generation, instance))
                    .join()
                    .map(kv -> java.nio.ByteBuffer.wrap(kv.value(), 8, 8).getLong() > count)
                    .orElse(false));
  }

  @Test
  void aStateOverTheLimitFailsTheFlowNamingTheInstance() {
    Flow flow = TestFlows.sourceSink("hoarder", Map.of("count", "0", "size", "65536"), "hoard", 16);
    long generation = deploy(flow);
    await().atMost(Duration.ofSeconds(60)).until(() -> failure("hoarder") != null);
    FlowRecords.Failure f = failure("hoarder");
    assertThat(f.instance()).isEqualTo("sink#0");
    assertThat(f.deployedAtMillis()).isEqualTo(generation);
    assertThat(f.message())
        .contains("the state of sink#0 is")
        .contains("over the limit of " + FlowStateStore.MAX_STATE_BYTES);
  }
}
