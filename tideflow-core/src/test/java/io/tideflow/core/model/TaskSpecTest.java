package io.tideflow.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskSpecTest {

  @Test
  void buildsWithDefaults() {
    TaskSpec spec = TaskSpec.builder("noop").build();
    assertThat(spec.maxAttempts()).isEqualTo(TaskSpec.DEFAULT_MAX_ATTEMPTS);
    assertThat(spec.timeout()).isEqualTo(TaskSpec.DEFAULT_TIMEOUT);
    assertThat(spec.payload()).isEmpty();
    assertThat(spec.demand()).isEqualTo(Resources.ZERO);
  }

  @Test
  void rejectsInvalidFieldsByName() {
    assertThatThrownBy(() -> TaskSpec.builder("").build())
        .hasMessage("handler must not be blank, was ''");
    assertThatThrownBy(() -> TaskSpec.builder("x").maxAttempts(0).build())
        .hasMessage("maxAttempts must be > 0, was 0");
    assertThatThrownBy(() -> TaskSpec.builder("x").timeout(Duration.ZERO).build())
        .hasMessage("timeout must be > 0, was PT0S");
    assertThatThrownBy(() -> TaskSpec.builder("x").payload(null).build())
        .hasMessage("payload must not be null");
  }

  @Test
  void selectsNodesCarryingEveryLabel() {
    TaskSpec spec = TaskSpec.builder("x").labelSelector(Map.of("zone", "a", "tier", "edge")).build();
    NodeInfo both = node(Map.of("zone", "a", "tier", "edge", "extra", "1"));
    NodeInfo one = node(Map.of("zone", "a"));
    assertThat(spec.selects(both)).isTrue();
    assertThat(spec.selects(one)).isFalse();
  }

  private static NodeInfo node(Map<String, String> labels) {
    return new NodeInfo(
        "n", "p", "h:1", labels, Resources.of(1000, 1), NodeState.READY, LoadReport.NONE);
  }
}
