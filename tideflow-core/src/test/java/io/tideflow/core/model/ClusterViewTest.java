package io.tideflow.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterViewTest {

  static NodeInfo node(String id, NodeState state) {
    return new NodeInfo(
        id,
        "in-process",
        "127.0.0.1:1",
        Map.of(),
        Resources.of(1000, 1 << 20),
        state,
        LoadReport.NONE);
  }

  @Test
  void changesMakeNewViewsAndLeaveOldOnesIntact() {
    ClusterView v1 = ClusterView.of(1, List.of(node("a", NodeState.READY)));
    ClusterView v2 = v1.with(node("b", NodeState.JOINING), 2);
    ClusterView v3 = v2.without("a", 3);
    assertThat(v1.nodes()).extracting(NodeInfo::id).containsExactly("a");
    assertThat(v2.nodes()).extracting(NodeInfo::id).containsExactly("a", "b");
    assertThat(v3.nodes()).extracting(NodeInfo::id).containsExactly("b");
    assertThat(v3.revision()).isEqualTo(3);
    assertThatThrownBy(() -> v1.nodes().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void countsNodesByState() {
    ClusterView v =
        ClusterView.of(
            1,
            List.of(
                node("a", NodeState.READY),
                node("b", NodeState.READY),
                node("c", NodeState.DRAINING)));
    assertThat(v.countByState())
        .containsEntry(NodeState.READY, 2)
        .containsEntry(NodeState.DRAINING, 1)
        .containsEntry(NodeState.JOINING, 0)
        .containsEntry(NodeState.GONE, 0);
  }

  @Test
  void rejectsDuplicateIds() {
    assertThatThrownBy(
            () -> ClusterView.of(1, List.of(node("a", NodeState.READY), node("a", NodeState.GONE))))
        .hasMessage("nodes must have unique ids, 'a' repeats");
  }
}
