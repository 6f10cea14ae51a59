package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkerConfigLimitsTest {

  @Test
  void admissionLimitsHaveDefaultsAndRejectBadValuesNamingTheField() {
    WorkerConfig c = WorkerConfig.defaults("w1");
    assertThat(c.maxAdmittedTasks()).isEqualTo(WorkerConfig.DEFAULT_MAX_ADMITTED_TASKS);
    assertThat(c.maxAdmittedBytes()).isBetween(1024L * 1024, 256L * 1024 * 1024);

    assertThatThrownBy(() -> c.withAdmissionLimits(0, c.maxAdmittedBytes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAdmittedTasks must be > 0, was 0");
    assertThatThrownBy(() -> c.withAdmissionLimits(10, 1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAdmittedBytes must be >= 1048576 (the largest payload), was 1000");
  }
}
