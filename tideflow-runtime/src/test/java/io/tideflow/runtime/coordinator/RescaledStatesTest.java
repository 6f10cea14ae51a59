package io.tideflow.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.FlowScaling;
import io.tideflow.core.flow.KeyGroupStates;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.flow.FlowStateStore;
import io.tideflow.runtime.flow.KeptState;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.store.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a rescaled deployment starts from: {@link FlowPlacer#rescaledStates}. */
class RescaledStatesTest {
  private static final String PREFIX = ClusterKeys.flowStates("f", 1);

  private static Flow flow(int count) {
    return Flow.builder("f")
        .process(
            new ProcessSpec(
                "source", "sequence", 1, Resources.ZERO, List.of(), List.of("out"), Map.of()))
        .process(
            new ProcessSpec(
                "count", "keyed-total", count, Resources.ZERO, List.of("in"), List.of(), Map.of()))
        .connect("source.out", "count.in", Routing.KEYED, 8)
        .build();
  }

  private static KeyValue kept(String instance, byte[] body) {
    return new KeyValue(PREFIX + instance, KeptState.fresh(body), 1, 1, 0);
  }

  @Test
  void keyGroupsGoToTheirOwnersAtTheNewParallelismAndOtherStatesStayWhereTheyWere() {
    int groups = io.tideflow.core.flow.Connection.DEFAULT_KEY_GROUPS;
    List<KeyValue> states =
        List.of(
            kept("source#0", new byte[] {9}),
            kept("count#0", KeyGroupStates.encode(groups, Map.of(0, new byte[] {0}))),
            kept("count#1", KeyGroupStates.encode(groups, Map.of(127, new byte[] {127}))));

    Map<String, byte[]> next =
        FlowPlacer.rescaledStates(
            PREFIX, states, flow(2), FlowScaling.rescaled(flow(2), Map.of("count", 4)));

    assertThat(next).containsOnlyKeys("source#0", "count#0", "count#3");
    assertThat(KeptState.decode(next.get("source#0")).body()).containsExactly(9);
    assertThat(KeyGroupStates.decode(KeptState.decode(next.get("count#3")).body()).groups())
        .containsOnlyKeys(127);
  }

  @Test
  void aPlainStateOfAProcessWhoseParallelismChangesIsRefused() {
    List<KeyValue> states = List.of(kept("count#0", new byte[] {1, 2, 3}));
    assertThatThrownBy(
            () ->
                FlowPlacer.rescaledStates(
                    PREFIX, states, flow(1), FlowScaling.rescaled(flow(1), Map.of("count", 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the states of count cannot be split")
        .hasMessageContaining("not a key-group state");
  }

  @Test
  void groupsThatWouldGatherOverTheLimitOnOneInstanceAreRefusedNamingIt() {
    int groups = 8;
    List<KeyValue> states = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      // Each instance of 2 holds a state of 60 % of the limit; one instance cannot hold both.
      states.add(
          kept(
              "count#" + i,
              KeyGroupStates.encode(
                  groups, Map.of(i * 4, new byte[FlowStateStore.MAX_STATE_BYTES * 6 / 10]))));
    }
    Flow two =
        Flow.builder("f")
            .process(flow(2).process("source"))
            .process(flow(2).process("count"))
            .connect(
                new io.tideflow.core.flow.Connection(
                    "source", "out", "count", "in", Routing.KEYED, 8, groups))
            .build();

    assertThatThrownBy(
            () ->
                FlowPlacer.rescaledStates(
                    PREFIX, states, two, FlowScaling.rescaled(two, Map.of("count", 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the state of count#0 would be")
        .hasMessageContaining("over the " + FlowStateStore.MAX_STATE_BYTES);
  }
}
