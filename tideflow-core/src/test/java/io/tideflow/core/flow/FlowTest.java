package io.tideflow.core.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.model.Resources;
import io.tideflow.core.partition.MultilevelPartitioner;
import io.tideflow.core.partition.Partition;
import io.tideflow.core.partition.PartitionRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowTest {
  private static final Resources ONE_CORE = Resources.of(1000, 256L << 20);

  /** source(2) -FORWARD-> parse(2) -KEYED-> count(4) -ROUND_ROBIN-> sink(1). */
  static Flow.Builder pipeline() {
    return Flow.builder("clicks")
        .process("source", "kafka-source", 2, ONE_CORE, List.of(), List.of("out"))
        .process("parse", "parse-json", 2, ONE_CORE, List.of("in"), List.of("out"))
        .process("count", "count-by-user", 4, ONE_CORE, List.of("in"), List.of("out"))
        .process("sink", "print", 1, ONE_CORE, List.of("in"), List.of())
        .connect("source.out", "parse.in", Routing.FORWARD, 1024)
        .connect("parse.out", "count.in", Routing.KEYED, 1024)
        .connect("count.out", "sink.in", Routing.ROUND_ROBIN, 1024);
  }

  @Test
  void aPipelineIsBuiltWithItsProcessesInOrderAndItsInstancesCounted() {
    Flow flow = pipeline().build();
    assertThat(flow.processes())
        .extracting(ProcessSpec::name)
        .containsExactly("source", "parse", "count", "sink");
    assertThat(flow.instanceCount()).isEqualTo(9);
    assertThat(flow.connections()).hasSize(3);
  }

  @Test
  void whatDoesNotFitTogetherIsRefusedNamingIt() {
    assertThatThrownBy(
            () -> pipeline().connect("parse.out", "nowhere.in", Routing.FORWARD, 10).build())
        .hasMessageContaining("names process nowhere, which the flow does not have");
    assertThatThrownBy(
            () -> pipeline().connect("parse.err", "sink.in", Routing.FORWARD, 10).build())
        .hasMessageContaining("parse has no output port err (its outputs: [out])");
    assertThatThrownBy(
            () -> pipeline().connect("source.out", "count.in", Routing.FORWARD, 10).build())
        .hasMessageContaining("is FORWARD but source has 2 instances and count 4");
    assertThatThrownBy(
            () ->
                Flow.builder("f")
                    .process("a", "t", 1, ONE_CORE, List.of(), List.of("out"))
                    .process("b", "t", 1, ONE_CORE, List.of("in", "side"), List.of())
                    .connect("a.out", "b.in", Routing.FORWARD, 10)
                    .build())
        .hasMessageContaining("input port b.side is fed by nothing");
    assertThatThrownBy(
            () ->
                Flow.builder("f")
                    .process("a", "t", 1, ONE_CORE, List.of(), List.of("out"))
                    .process("b", "t", 256, ONE_CORE, List.of("in"), List.of())
                    .connect("a.out", "b.in", Routing.KEYED, 10)
                    .build())
        .hasMessageContaining("has 128 key groups for 256 instances of b");
    assertThatThrownBy(() -> pipeline().connect("source", "sink.in", Routing.FORWARD, 10))
        .hasMessageContaining("a connection's end must be process.port, was 'source'");
    assertThatThrownBy(() -> pipeline().connect("count.out", "sink.in", Routing.ROUND_ROBIN, 0))
        .hasMessageContaining("capacity must be in [1, 1000000], was 0");
    assertThatThrownBy(
            () -> pipeline().process("sink", "print", 1, ONE_CORE, List.of("in"), List.of()))
        .hasMessageContaining("process sink is defined twice");
  }

  @Test
  void aCycleIsRefusedWithItsPath() {
    assertThatThrownBy(
            () ->
                Flow.builder("loop")
                    .process("a", "t", 1, ONE_CORE, List.of("back"), List.of("out"))
                    .process("b", "t", 1, ONE_CORE, List.of("in"), List.of("out"))
                    .process("c", "t", 1, ONE_CORE, List.of("in"), List.of("out"))
                    .connect("a.out", "b.in", Routing.FORWARD, 10)
                    .connect("b.out", "c.in", Routing.FORWARD, 10)
                    .connect("c.out", "a.back", Routing.FORWARD, 10)
                    .build())
        .hasMessageContaining("has a cycle, a -> b -> c -> a");
  }

  @Test
  void theInstanceGraphWeighsChannelsByRateSoThePartitionerKeepsChattyInstancesTogether() {
    Flow flow = pipeline().build();
    Connection forward = flow.connections().get(0);
    Connection keyed = flow.connections().get(1);
    InstanceGraph instances = InstanceGraph.of(flow, Map.of(forward, 200_000.0, keyed, 8_000.0));

    assertThat(instances.graph().vertexCount()).isEqualTo(9);
    // 2 forward pairs, 2 x 4 keyed pairs, 4 x 1 to the sink.
    assertThat(instances.graph().edgeCount()).isEqualTo(2 + 8 + 4);
    int s0 = instances.vertex("source", 0);
    assertThat(instances.instance(s0)).isEqualTo("source#0");

    Partition two =
        new MultilevelPartitioner()
            .partition(instances.graph(), PartitionRequest.of(2).withImbalance(0.15));
    for (int i = 0; i < 2; i++) {
      assertThat(two.part(instances.vertex("source", i)))
          .as("source#%d stays with parse#%d, which it sends 100,000 messages/s", i, i)
          .isEqualTo(two.part(instances.vertex("parse", i)));
    }
  }

  @Test
  void keepsPropertiesAndRefusesABadOne() {
    Resources cpu = Resources.of(100, 0);
    ProcessSpec spec =
        new ProcessSpec("p", "t", 1, cpu, List.of(), List.of("out"), Map.of("count", "10"));
    assertThat(spec.withParallelism(3).properties()).containsExactly(Map.entry("count", "10"));
    assertThatThrownBy(
            () -> new ProcessSpec("p", "t", 1, cpu, List.of(), List.of(), Map.of("a b", "1")))
        .hasMessageContaining("process p: property name must be a letter")
        .hasMessageContaining("'a b'");
    assertThatThrownBy(
            () ->
                new ProcessSpec(
                    "p", "t", 1, cpu, List.of(), List.of(), Map.of("big", "x".repeat(5000))))
        .hasMessageContaining("property big must have a value of at most 4096 characters");
  }
}
