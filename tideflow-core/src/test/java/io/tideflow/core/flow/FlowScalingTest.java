package io.tideflow.core.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.model.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowScalingTest {
  private final Instant t0 = Instant.parse("2026-12-07T12:00:00Z");

  private Instant at(int seconds) {
    return t0.plusSeconds(seconds);
  }

  private static Flow pipeline(int work, int count) {
    return Flow.builder("p")
        .process("source", "sequence", 1, Resources.of(1000, 1 << 20), List.of(), List.of("out"))
        .process("work", "spin", work, Resources.of(1000, 1 << 20), List.of("in"), List.of("out"))
        .process("count", "total", count, Resources.of(1000, 1 << 20), List.of("in"), List.of())
        .connect("source.out", "work.in", Routing.ROUND_ROBIN, 64)
        .connect("work.out", "count.in", Routing.KEYED, 64)
        .build();
  }

  private FlowScaling scaling() {
    return new FlowScaling(
        Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofSeconds(15), t0);
  }

  @Test
  void growsAStatelessProcessAtOnceAfterTheCoolDownWithinTheBound() {
    FlowScaling s = scaling();
    Flow flow = pipeline(1, 1);
    Map<String, Integer> ds2 = Map.of("source", 3, "work", 6, "count", 4);

    assertThat(s.decide(flow, ds2, Set.of("count"), 4, at(10))).as("cooling down").isEmpty();
    Map<String, Integer> next = s.decide(flow, ds2, Set.of("count"), 4, at(20));
    // Sources set the pace and keep theirs; work is bounded by 4; count holds state.
    assertThat(next)
        .containsExactly(Map.entry("source", 1), Map.entry("work", 4), Map.entry("count", 1));
    Flow rescaled = FlowScaling.rescaled(flow, next);
    assertThat(rescaled.process("work").parallelism()).isEqualTo(4);
    assertThat(rescaled.connections()).isEqualTo(flow.connections());
    // A change starts the cool-down again.
    assertThat(s.decide(rescaled, Map.of("work", 8), Set.of(), 8, at(30))).isEmpty();
  }

  @Test
  void aKeyedProcessGetsNoMoreInstancesThanItsInputHasKeyGroups() {
    FlowScaling s = scaling();
    Flow flow =
        Flow.builder("k")
            .process("source", "sequence", 1, Resources.ZERO, List.of(), List.of("out"))
            .process("count", "total", 2, Resources.ZERO, List.of("in"), List.of())
            .connect(new Connection("source", "out", "count", "in", Routing.KEYED, 64, 6))
            .build();

    Map<String, Integer> next = s.decide(flow, Map.of("count", 40), Set.of(), 32, at(20));

    assertThat(next).containsEntry("count", 6);
    assertThat(FlowScaling.rescaled(flow, next).process("count").parallelism()).isEqualTo(6);
  }

  @Test
  void keepsAProcessThatHoldsStateAndDecidesNothingWithoutEveryRate() {
    FlowScaling s = scaling();
    Flow flow = pipeline(2, 1);
    assertThat(s.decide(flow, Map.of(), Set.of(), 8, at(60))).isEmpty();
    assertThat(s.decide(flow, Map.of("work", 2, "count", 5), Set.of("count"), 8, at(60))).isEmpty();
  }

  @Test
  void shrinksOnlyOnceTheWindowAndTheScaleDownIntervalHavePassed() {
    FlowScaling s = scaling();
    Flow flow = pipeline(6, 1);
    assertThat(s.decide(flow, Map.of("work", 2), Set.of(), 8, at(20))).isEmpty();
    assertThat(s.decide(flow, Map.of("work", 2), Set.of(), 8, at(200))).isEmpty();
    assertThat(s.decide(flow, Map.of("work", 2), Set.of(), 8, at(301))).containsEntry("work", 2);
  }

  @Test
  void refusesNegativeTimes() {
    assertThatThrownBy(
            () -> new FlowScaling(Duration.ofSeconds(-1), Duration.ZERO, Duration.ZERO, t0))
        .hasMessageContaining("durations must be >= 0");
  }
}
