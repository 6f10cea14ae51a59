package io.tideflow.runtime.flow;

import static io.tideflow.runtime.flow.TestFlows.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.flow.Backpressure;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.KeyGroups;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FlowExecutionTest {
  /** A sink that records, per message, its instance and its number. */
  record Seen(int instance, long key, long number) {}

  static final class Collect implements FlowProcess {
    private final Queue<Seen> seen;
    private int instance;

    Collect(Queue<Seen> seen) {
      this.seen = seen;
    }

    @Override
    public void open(ProcessContext context) {
      instance = context.instance();
    }

    @Override
    public void onMessage(String port, Message message) {
      seen.add(new Seen(instance, message.key(), ByteBuffer.wrap(message.payload()).getLong()));
    }
  }

  private static ProcessSpec source(int parallelism, long count) {
    return process(
        "source", "sequence", parallelism, List.of(), List.of("out"), Map.of("count", "" + count));
  }

  private static ProcessSpec sink(String type, int parallelism) {
    return process("sink", type, parallelism, List.of("in"), List.of(), Map.of());
  }

  @Test
  void deliversEveryMessageOfAThreeStagePipelineExactlyOnce() throws Exception {
    Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    Flow flow =
        Flow.builder("pipeline")
            .process(source(2, 1000))
            .process(process("map", "pass", 3, List.of("in"), List.of("out"), Map.of()))
            .process(sink("collect", 2))
            .connect("source.out", "map.in", Routing.ROUND_ROBIN, 16)
            .connect("map.out", "sink.in", Routing.KEYED, 16)
            .build();
    FlowProcesses processes = FlowProcesses.builtins().with("collect", () -> new Collect(seen));

    try (FlowExecution execution = FlowExecution.start(flow, processes)) {
      execution.completion().get(30, TimeUnit.SECONDS);
      assertThat(seen).hasSize(1000);
      assertThat(seen.stream().map(Seen::number).distinct()).hasSize(1000);
      assertThat(seen.stream().mapToLong(Seen::number).max().getAsLong()).isEqualTo(999);
      for (Seen s : seen) {
        assertThat(s.instance()).isEqualTo(KeyGroups.instanceOfKey(s.key(), 128, 2));
      }
      List<InstanceStats> stats = execution.stats();
      assertThat(stats)
          .extracting(InstanceStats::instance)
          .containsExactly("source#0", "source#1", "map#0", "map#1", "map#2", "sink#0", "sink#1");
      assertThat(
              stats.stream()
                  .filter(s -> s.instance().startsWith("map"))
                  .mapToLong(InstanceStats::received)
                  .sum())
          .isEqualTo(1000);
      assertThat(stats).allMatch(s -> !s.running());
    }
  }

  @Test
  void broadcastGivesEveryReceiverEveryMessage() throws Exception {
    Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    Flow flow =
        Flow.builder("fanout")
            .process(source(1, 200))
            .process(sink("collect", 3))
            .connect("source.out", "sink.in", Routing.BROADCAST, 8)
            .build();
    try (FlowExecution execution =
        FlowExecution.start(
            flow, FlowProcesses.builtins().with("collect", () -> new Collect(seen)))) {
      execution.completion().get(30, TimeUnit.SECONDS);
    }
    Map<Integer, Long> perInstance = new HashMap<>();
    seen.forEach(s -> perInstance.merge(s.instance(), 1L, Long::sum));
    assertThat(perInstance)
        .containsOnly(Map.entry(0, 200L), Map.entry(1, 200L), Map.entry(2, 200L));
  }

  @Test
  void aSlowReceiverHoldsItsSenderAtTheChannelsCapacity() throws Exception {
    Semaphore permits = new Semaphore(0);
    Flow flow =
        Flow.builder("slow")
            .process(source(1, 0))
            .process(sink("gate", 1))
            .connect("source.out", "sink.in", Routing.FORWARD, 16)
            .build();
    FlowProcesses processes =
        FlowProcesses.builtins()
            .with(
                "gate",
                () ->
                    new FlowProcess() {
                      @Override
                      public void onMessage(String port, Message message) throws Exception {
                        permits.acquire();
                      }
                    });
    try (FlowExecution execution = FlowExecution.start(flow, processes)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> execution.stats().get(0).backpressuredNanos() > 50_000_000L);
      InstanceStats source = execution.stats().get(0);
      // 16 in the channel; the receiver holds the first of them in its hand.
      assertThat(source.emitted()).isEqualTo(16);
      permits.release(100);
      // The receiver takes 100 and blocks on the 101st, which still holds its place in the ring.
      await().atMost(Duration.ofSeconds(10)).until(() -> execution.stats().get(0).emitted() >= 101);
      long held = execution.stats().get(0).backpressuredNanos();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> execution.stats().get(0).backpressuredNanos() > held + 50_000_000L);
      InstanceStats after = execution.stats().get(0);
      assertThat(after.emitted()).isBetween(101L, 116L);
    }
  }

  @Test
  void findsTheSlowStageAsTheRootCauseOfBackpressure() throws Exception {
    Flow flow =
        Flow.builder("bottleneck")
            .process(source(1, 0))
            .process(
                process(
                    "work", "spin", 1, List.of("in"), List.of("out"), Map.of("nanos", "200000")))
            .process(sink("discard", 1))
            .connect("source.out", "work.in", Routing.FORWARD, 64)
            .connect("work.out", "sink.in", Routing.FORWARD, 64)
            .build();
    try (FlowExecution execution = FlowExecution.start(flow, FlowProcesses.builtins())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> execution.stats().get(2).received() > 100);
      List<InstanceStats> before = execution.stats();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> execution.stats().get(2).received() > before.get(2).received() + 500);
      List<InstanceStats> after = execution.stats();
      Map<String, Backpressure.Time> times = InstanceTimes.between(before, after);
      Backpressure.Diagnosis diagnosis = Backpressure.diagnose(flow, times, 0.5);
      assertThat(diagnosis.states())
          .containsEntry("source#0", Backpressure.State.BACKPRESSURED)
          .containsEntry("work#0", Backpressure.State.BUSY)
          .containsEntry("sink#0", Backpressure.State.IDLE);
      assertThat(diagnosis.rootCauses()).containsExactly("work#0");
    }
  }

  @Test
  void aFailingInstanceFailsTheFlowByName() {
    Flow flow =
        Flow.builder("failing")
            .process(source(1, 0))
            .process(sink("boom", 2))
            .connect("source.out", "sink.in", Routing.ROUND_ROBIN, 8)
            .build();
    FlowProcesses processes =
        FlowProcesses.builtins()
            .with(
                "boom",
                () ->
                    new FlowProcess() {
                      @Override
                      public void onMessage(String port, Message message) {
                        throw new IllegalStateException("bad record");
                      }
                    });
    FlowExecution execution = FlowExecution.start(flow, processes);
    assertThatThrownBy(() -> execution.completion().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(FlowFailedException.class)
        .hasMessageContaining("flow failing: instance sink#")
        .hasMessageContaining("bad record");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> execution.stats().stream().noneMatch(InstanceStats::running));
  }

  @Test
  void refusesUnknownProcessTypesBeforeStartingAnything() {
    Flow flow =
        Flow.builder("unknown")
            .process(source(1, 10))
            .process(sink("kafka-sink", 1))
            .connect("source.out", "sink.in", Routing.FORWARD, 8)
            .build();
    assertThatThrownBy(() -> FlowExecution.start(flow, FlowProcesses.builtins()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[kafka-sink]")
        .hasMessageContaining("discard");
  }

  @Test
  void stoppingAnEndlessFlowEndsEveryInstance() throws Exception {
    Flow flow =
        Flow.builder("endless")
            .process(source(2, 0))
            .process(sink("discard", 2))
            .connect("source.out", "sink.in", Routing.ROUND_ROBIN, 32)
            .build();
    FlowExecution execution = FlowExecution.start(flow, FlowProcesses.builtins());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> execution.stats().get(2).received() > 10_000);
    execution.close();
    assertThat(execution.stats()).noneMatch(InstanceStats::running);
    assertThatThrownBy(() -> execution.completion().get(1, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(CancellationException.class);
  }

  @Test
  void aKeyedPortRefusesAMessageWithoutKey() {
    Flow flow =
        Flow.builder("nokey")
            .process(process("source", "unkeyed", 1, List.of(), List.of("out"), Map.of()))
            .process(sink("discard", 2))
            .connect("source.out", "sink.in", Routing.KEYED, 8)
            .build();
    FlowProcesses processes =
        FlowProcesses.builtins()
            .with(
                "unkeyed",
                () ->
                    new FlowProcess() {
                      private Output out;

                      @Override
                      public void open(ProcessContext context) {
                        out = context.output("out");
                      }

                      @Override
                      public boolean produce() throws InterruptedException {
                        out.emit(new byte[1]);
                        return false;
                      }
                    });
    FlowExecution execution = FlowExecution.start(flow, processes);
    assertThatThrownBy(() -> execution.completion().get(10, TimeUnit.SECONDS))
        .cause()
        .hasMessageContaining("source.out feeds a keyed connection: emit with a key");
  }

  private static Flow keyedTotals(String name, int total, Routing routing) {
    return Flow.builder(name)
        .process(source(1, total))
        .process(process("count", "keyed-total", 3, List.of("in"), List.of("out"), Map.of()))
        .process(sink("collect", 1))
        .connect("source.out", "count.in", routing, 64)
        .connect("count.out", "sink.in", Routing.ROUND_ROBIN, 64)
        .build();
  }

  @Test
  void aKeyedStatefulProcessSeesEveryKeyOfItsGroupsAndOnlyThose() throws Exception {
    Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    FlowProcesses processes =
        FlowProcesses.builtins()
            .with("collect", () -> new Collect(seen))
            .with("keyed-total", TestFlows.KeyedTotal::new);
    int total = 5_000;

    FlowExecution.start(keyedTotals("groups", total, Routing.KEYED), processes)
        .completion()
        .get(30, TimeUnit.SECONDS);

    // One total per group, each over every key of that group: no group split between instances.
    assertThat(seen.stream().map(Seen::number).toList())
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(
            TestFlows.keyedTotals(total, io.tideflow.core.flow.Connection.DEFAULT_KEY_GROUPS));
  }

  @Test
  void aKeyedStatefulProcessFedByAnUnkeyedConnectionDoesNotStart() {
    FlowProcesses processes =
        FlowProcesses.builtins()
            .with("collect", () -> new Collect(new ConcurrentLinkedQueue<>()))
            .with("keyed-total", TestFlows.KeyedTotal::new);
    assertThatThrownBy(
            () -> FlowExecution.start(keyedTotals("unkeyed", 10, Routing.ROUND_ROBIN), processes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("process count (keyed-total) holds state by key group")
        .hasMessageContaining("source.out -> count.in is round_robin");
  }
}
