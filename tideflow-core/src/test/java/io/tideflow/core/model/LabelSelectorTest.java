package io.tideflow.core.model;

import static io.tideflow.core.model.LabelSelector.doesNotExist;
import static io.tideflow.core.model.LabelSelector.exists;
import static io.tideflow.core.model.LabelSelector.in;
import static io.tideflow.core.model.LabelSelector.notIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {
  private final Map<String, String> edge = Map.of("tier", "edge", "zone", "eu-1");

  @Test
  void eachOperatorTestsTheLabelAsKubernetesDoes() {
    assertThat(in("tier", "edge", "core").matches(edge)).isTrue();
    assertThat(in("tier", "core").matches(edge)).isFalse();
    assertThat(notIn("tier", "core").matches(edge)).isTrue();
    assertThat(notIn("gpu", "a100").matches(edge)).isTrue();
    assertThat(exists("zone").matches(edge)).isTrue();
    assertThat(doesNotExist("zone").matches(edge)).isFalse();
  }

  @Test
  void theEqualitySelectorOfATaskBecomesInRequirements() {
    LabelSelector s = LabelSelector.equality(Map.of("tier", "edge"));
    assertThat(s.requirements()).containsExactly(in("tier", "edge"));
    assertThat(s.matches(edge)).isTrue();
    assertThat(s.matches(Map.of("tier", "core"))).isFalse();
  }

  @Test
  void inWithoutValuesIsRejectedNamingTheField() {
    assertThatThrownBy(
            () -> new LabelSelector.Requirement("tier", LabelSelector.Operator.IN, Set.of()))
        .hasMessage("values must be non-empty for IN, was []");
  }
}
