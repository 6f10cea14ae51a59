package io.tideflow.core.model;

import static io.tideflow.core.model.NodeState.DRAINING;
import static io.tideflow.core.model.NodeState.GONE;
import static io.tideflow.core.model.NodeState.JOINING;
import static io.tideflow.core.model.NodeState.READY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeStateTest {

  @Test
  void followsTheLifeCycleForward() {
    assertThat(JOINING.canMoveTo(READY)).isTrue();
    assertThat(READY.canMoveTo(DRAINING)).isTrue();
    assertThat(DRAINING.canMoveTo(GONE)).isTrue();
    assertThat(READY.canMoveTo(GONE)).isTrue();
  }

  @Test
  void neverMovesBackward() {
    assertThat(READY.canMoveTo(JOINING)).isFalse();
    assertThat(DRAINING.canMoveTo(READY)).isFalse();
    assertThat(GONE.canMoveTo(READY)).isFalse();
    assertThatThrownBy(() -> GONE.moveTo(READY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("node state cannot move from GONE to READY");
  }

  @Test
  void nodeInfoNamesTheNodeInAnIllegalTransition() {
    NodeInfo node =
        new NodeInfo(
            "n1",
            "in-process",
            "127.0.0.1:1",
            Map.of(),
            Resources.of(1000, 1),
            DRAINING,
            LoadReport.NONE);
    assertThat(node.withState(GONE).state()).isEqualTo(GONE);
    assertThatThrownBy(() -> node.withState(READY))
        .hasMessage("node n1: node state cannot move from DRAINING to READY");
  }

  @Test
  void nodeInfoRejectsBlankIds() {
    assertThatThrownBy(
            () -> new NodeInfo(" ", "p", "a:1", Map.of(), Resources.ZERO, READY, LoadReport.NONE))
        .hasMessage("id must not be blank, was ' '");
  }
}
