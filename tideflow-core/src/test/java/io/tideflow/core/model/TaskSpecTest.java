package io.tideflow.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
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
    TaskSpec spec =
        TaskSpec.builder("x").labelSelector(Map.of("zone", "a", "tier", "edge")).build();
    NodeInfo both = node(Map.of("zone", "a", "tier", "edge", "extra", "1"));
    NodeInfo one = node(Map.of("zone", "a"));
    assertThat(spec.selects(both)).isTrue();
    assertThat(spec.selects(one)).isFalse();
  }

  @Test
  void carriesAPlacementRequestBuiltFromDemandAndSelectorOrGiven() {
    assertThat(TaskSpec.builder("x").build().placement()).isSameAs(PlacementRequest.NONE);
    TaskSpec eq =
        TaskSpec.builder("x")
            .demand(Resources.of(500, 0))
            .labelSelector(Map.of("tier", "edge"))
            .build();
    assertThat(eq.placement().demand()).isEqualTo(Resources.of(500, 0));
    assertThat(eq.placement().selector()).isEqualTo(LabelSelector.equality(Map.of("tier", "edge")));

    PlacementRequest rich =
        PlacementRequest.builder(Resources.of(100, 0))
            .selector(new LabelSelector(List.of(LabelSelector.notIn("zone", "z9"))))
            .antiAffinity(new AffinityTerm("app", "web", "zone"))
            .build();
    TaskSpec spec = TaskSpec.builder("x").placement(rich).build();
    assertThat(spec.placement()).isSameAs(rich);
    assertThat(spec.demand()).isEqualTo(Resources.of(100, 0));
    assertThat(spec.selects(node(Map.of("zone", "z1")))).isTrue();
    assertThat(spec.selects(node(Map.of("zone", "z9")))).isFalse();
  }

  @Test
  void aPlacementRequestAndAnotherDemandOrSelectorAreRejected() {
    PlacementRequest rich = PlacementRequest.builder(Resources.of(100, 0)).build();
    assertThatThrownBy(
            () -> TaskSpec.builder("x").placement(rich).demand(Resources.of(200, 0)).build())
        .hasMessageContaining("must equal the placement request's");
    assertThatThrownBy(
            () -> TaskSpec.builder("x").placement(rich).labelSelector(Map.of("a", "b")).build())
        .hasMessageStartingWith("labelSelector must be empty when a placement request is given");
  }

  private static NodeInfo node(Map<String, String> labels) {
    return new NodeInfo(
        "n", "p", "h:1", labels, Resources.of(1000, 1), NodeState.READY, LoadReport.NONE);
  }
}
