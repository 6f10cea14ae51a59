package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class TaskLatenciesTest {

  @Test
  void percentilesMatchTheNearestRankOfTheRecordedMicrosWithinThreeDigits() {
    TaskLatencies latencies = new TaskLatencies();
    // 1 µs .. 10,000 µs, each once and shuffled by a stride coprime to 10,000: the nearest rank of
    // p50 is the 5,000th value (5,000 µs), of p99 the 9,900th (9,900 µs).
    for (int i = 0; i < 10_000; i++) {
      long micros = (i * 7_919L) % 10_000 + 1;
      latencies.record(TimeUnit.MICROSECONDS.toNanos(micros) + 999); // sub-µs part is dropped
    }

    Histogram h = latencies.sinceLastCall();

    assertThat(h.getTotalCount()).isEqualTo(10_000);
    assertThat((double) TaskLatencies.micros(h, 50)).isCloseTo(5_000, withinPercentage(0.1));
    assertThat((double) TaskLatencies.micros(h, 99)).isCloseTo(9_900, withinPercentage(0.1));
  }

  @Test
  void aFewSlowTasksShowAboveTheirShareOnly() {
    TaskLatencies latencies = new TaskLatencies();
    for (int i = 0; i < 990; i++) {
      latencies.record(TimeUnit.MILLISECONDS.toNanos(1));
    }
    for (int i = 0; i < 10; i++) {
      latencies.record(TimeUnit.MILLISECONDS.toNanos(250));
    }

    Histogram h = latencies.sinceLastCall();

    // 990 of 1,000 took 1 ms, so p99 is 1 ms; only p99.9 sees the 250 ms ones.
    assertThat(TaskLatencies.micros(h, 99)).isEqualTo(1_000);
    assertThat((double) TaskLatencies.micros(h, 99.9)).isCloseTo(250_000, withinPercentage(0.1));
  }

  @Test
  void aTaskStuckForMinutesIsRecordedNotClipped() {
    TaskLatencies latencies = new TaskLatencies();
    latencies.record(TimeUnit.MILLISECONDS.toNanos(2));
    latencies.record(TimeUnit.MINUTES.toNanos(10));

    Histogram h = latencies.sinceLastCall();

    assertThat((double) TaskLatencies.micros(h, 100))
        .isCloseTo(TimeUnit.MINUTES.toMicros(10), withinPercentage(0.1));
  }

  @Test
  void eachCallReturnsOnlyWhatWasRecordedSinceThePreviousOne() {
    TaskLatencies latencies = new TaskLatencies();
    latencies.record(TimeUnit.MILLISECONDS.toNanos(40));
    latencies.sinceLastCall();
    latencies.record(TimeUnit.MILLISECONDS.toNanos(3));

    Histogram second = latencies.sinceLastCall();
    Histogram third = latencies.sinceLastCall();

    assertThat(second.getTotalCount()).isEqualTo(1);
    assertThat((double) TaskLatencies.micros(second, 99)).isCloseTo(3_000, within(3.0));
    assertThat(third.getTotalCount()).isZero();
    assertThat(TaskLatencies.micros(third, 99)).isZero();
  }
}
