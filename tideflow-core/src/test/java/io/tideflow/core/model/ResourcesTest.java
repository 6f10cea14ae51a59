package io.tideflow.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourcesTest {

  @Test
  void rejectsNegativeAmountsNamingTheFieldAndValue() {
    assertThatThrownBy(() -> Resources.of(-5, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cpuMillis must be >= 0, was -5");
    assertThatThrownBy(() -> Resources.of(0, -1)).hasMessage("memoryBytes must be >= 0, was -1");
    assertThatThrownBy(() -> Resources.of(0, 0, -7))
        .hasMessage("networkBytesPerSec must be >= 0, was -7");
    assertThatThrownBy(() -> Resources.ZERO.withCustom("gpu", -2))
        .hasMessage("custom[gpu] must be >= 0, was -2");
    assertThatThrownBy(() -> Resources.ZERO.withCustom(" ", 1))
        .hasMessageContaining("custom resource name must not be blank");
  }

  @Test
  void addsAndSubtractsEveryKindIncludingCustom() {
    Resources a = Resources.of(1000, 2048, 10).withCustom("gpu", 2);
    Resources b = Resources.of(500, 1024, 5).withCustom("gpu", 1).withCustom("fpga", 1);
    Resources sum = a.add(b);
    assertThat(sum).isEqualTo(new Resources(1500, 3072, 15, Map.of("gpu", 3L, "fpga", 1L)));
    assertThat(sum.subtract(b)).isEqualTo(a);
  }

  @Test
  void subtractingMoreThanThereIsFailsNamingTheResource() {
    assertThatThrownBy(() -> Resources.of(100, 0).subtract(Resources.of(200, 0)))
        .hasMessageContaining("cpuMillis must be >= 0");
    assertThatThrownBy(() -> Resources.ZERO.subtract(Resources.ZERO.withCustom("gpu", 1)))
        .hasMessageContaining("custom[gpu]");
  }

  @Test
  void namesTheFirstResourceThatDoesNotFit() {
    Resources capacity = Resources.of(2000, 4096, 100).withCustom("gpu", 1);
    assertThat(Resources.of(2000, 4096, 100).fitsIn(capacity)).isTrue();
    assertThat(Resources.of(2001, 0).firstShortfall(capacity)).isEqualTo("cpu");
    assertThat(Resources.of(0, 5000).firstShortfall(capacity)).isEqualTo("memory");
    assertThat(Resources.of(0, 0, 101).firstShortfall(capacity)).isEqualTo("network");
    assertThat(Resources.ZERO.withCustom("gpu", 2).firstShortfall(capacity)).isEqualTo("gpu");
    assertThat(Resources.ZERO.withCustom("tpu", 1).firstShortfall(capacity)).isEqualTo("tpu");
  }

  @Test
  void zeroCustomAmountsAreDroppedSoEqualAmountsAreEqual() {
    assertThat(Resources.of(1, 1).withCustom("gpu", 0)).isEqualTo(Resources.of(1, 1));
  }
}
