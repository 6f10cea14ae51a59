package io.tideflow.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SamplingTest {
  @Test
  void kubesAdaptiveDefaultLooksAtFewerNodesAsTheClusterGrows() {
    assertThat(Sampling.KUBE_DEFAULT.feasibleToFind(50)).isEqualTo(50);
    assertThat(Sampling.KUBE_DEFAULT.feasibleToFind(1000)).isEqualTo(420);
    assertThat(Sampling.KUBE_DEFAULT.feasibleToFind(10_000)).isEqualTo(500);
  }

  @Test
  void aFixedPercentageNeverGoesUnderTheMinimum() {
    Sampling s = new Sampling(0.5, 50);
    assertThat(s.feasibleToFind(1000)).isEqualTo(50);
    assertThat(s.feasibleToFind(100_000)).isEqualTo(500);
    assertThat(Sampling.EXHAUSTIVE.feasibleToFind(100_000)).isEqualTo(100_000);
  }

  @Test
  void aPercentageOverOneHundredIsRejectedNamingTheField() {
    assertThatThrownBy(() -> new Sampling(101, 1))
        .hasMessage("percentage must be in [0, 100], was 101.0");
  }
}
