package io.tideflow.core.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tideflow.core.model.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowHealthTest {
  private static final Backpressure.Time IDLE = new Backpressure.Time(0.1, 0, 0.9);
  private static final Backpressure.Time HELD = new Backpressure.Time(0.1, 0.85, 0.05);
  private static final Backpressure.Time BUSY = new Backpressure.Time(0.97, 0, 0.03);

  private static Flow flow() {
    return Flow.builder("f")
        .process("source", "sequence", 2, Resources.of(250, 0), List.of(), List.of("out"))
        .process("slow", "work", 1, Resources.of(1000, 0), List.of("in"), List.of("out"))
        .process("sink", "discard", 1, Resources.of(250, 0), List.of("in"), List.of())
        .connect("source.out", "slow.in", Routing.ROUND_ROBIN, 64)
        .connect("slow.out", "sink.in", Routing.ROUND_ROBIN, 64)
        .build();
  }

  private static FlowHealth.Instance instance(String id, double in, Backpressure.Time time) {
    return new FlowHealth.Instance(id, in, in, time, 0);
  }

  @Test
  void groupsInstancesByNodeWithTheirCpuRatesAndTheRootCause() {
    Map<String, String> placement =
        Map.of("source#0", "a", "source#1", "b", "slow#0", "a", "sink#0", "b");
    Map<String, FlowHealth.Instance> reported =
        Map.of(
            "source#0", instance("source#0", 0, HELD),
            "source#1", instance("source#1", 0, HELD),
            "slow#0", instance("slow#0", 900, BUSY));

    FlowHealth.Report r =
        FlowHealth.of(flow(), placement, reported, Map.of("a", 2000L, "b", 1000L));

    assertThat(r.partitions()).extracting(FlowHealth.Partition::node).containsExactly("a", "b");
    FlowHealth.Partition a = r.partitions().get(0);
    assertThat(a.instances()).containsExactly("source#0", "slow#0");
    assertThat(a.cpuMillis()).isEqualTo(1250);
    assertThat(a.load()).isCloseTo(0.625, within(1e-9));
    assertThat(a.receivedPerSecond()).isEqualTo(900);
    assertThat(a.reported()).isEqualTo(2);
    FlowHealth.Partition b = r.partitions().get(1);
    assertThat(b.cpuMillis()).isEqualTo(500);
    assertThat(b.reported()).isEqualTo(1);
    // 1250 against a mean of 875.
    assertThat(r.imbalance()).isCloseTo(1250 / 875.0 - 1, within(1e-9));
    assertThat(r.unreported()).containsExactly("sink#0");
    assertThat(r.parallelism()).as("not every instance reported").isEmpty();
    assertThat(r.diagnosis().rootCauses()).containsExactly("slow#0");
    assertThat(r.diagnosis().states())
        .containsEntry("source#0", Backpressure.State.BACKPRESSURED)
        .containsEntry("sink#0", Backpressure.State.IDLE);
  }

  @Test
  void ds2SizesTheBottleneckForWhatTheSourcesWouldSendUnhindered() {
    Map<String, String> placement =
        Map.of("source#0", "a", "source#1", "b", "slow#0", "a", "sink#0", "b");
    // Each source sends 450/s while held back 90% of its time: 4,500/s each unhindered. The slow
    // instance takes 900/s busy all the time; the sink takes 900/s in 10% of its time.
    Map<String, FlowHealth.Instance> reported =
        Map.of(
            "source#0",
                new FlowHealth.Instance("source#0", 0, 450, new Backpressure.Time(0.1, 0.9, 0), 0),
            "source#1",
                new FlowHealth.Instance("source#1", 0, 450, new Backpressure.Time(0.1, 0.9, 0), 0),
            "slow#0",
                new FlowHealth.Instance("slow#0", 900, 900, new Backpressure.Time(1, 0, 0), 0),
            "sink#0",
                new FlowHealth.Instance("sink#0", 900, 0, new Backpressure.Time(0.1, 0, 0.9), 0));

    FlowHealth.Report r = FlowHealth.of(flow(), placement, reported, Map.of());

    // 9,000/s for slow at 900/s per instance; the sink at 9,000/s per instance needs one.
    assertThat(r.parallelism()).containsEntry("slow", 10).containsEntry("sink", 1);
  }

  @Test
  void aFlowNotPlacedHasNoPartitionsAndEveryInstanceUnreported() {
    FlowHealth.Report r = FlowHealth.of(flow(), Map.of(), Map.of(), Map.of());

    assertThat(r.partitions()).isEmpty();
    assertThat(r.imbalance()).isZero();
    assertThat(r.unreported()).hasSize(4);
    assertThat(r.diagnosis().rootCauses()).isEmpty();
  }

  @Test
  void anInstanceWithoutAReportIsIdleAndANodeWithoutCapacityHasNoLoad() {
    Map<String, String> placement =
        Map.of("source#0", "a", "source#1", "a", "slow#0", "a", "sink#0", "a");

    FlowHealth.Report r =
        FlowHealth.of(flow(), placement, Map.of("slow#0", instance("slow#0", 10, IDLE)), Map.of());

    assertThat(r.partitions()).hasSize(1);
    assertThat(r.partitions().get(0).load()).isZero();
    assertThat(r.imbalance()).isZero();
    assertThat(r.diagnosis().states().values()).containsOnly(Backpressure.State.IDLE);
  }
}
