package io.tideflow.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void exponentialDoublesFromInitialUpToMax() {
    Backoff b = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30));
    assertThat(b.delay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.delay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.delay(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(b.delay(6)).isEqualTo(Duration.ofSeconds(30));
    assertThat(b.delay(10_000)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void fixedGivesTheSameDelayEveryTime() {
    Backoff b = Backoff.fixed(Duration.ofMillis(250));
    assertThat(b.delay(1)).isEqualTo(b.delay(99)).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void rejectsValuesThatMakeNoBackoffNamingTheField() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2))
        .hasMessageContaining("initial");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2))
        .hasMessageContaining("max");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5))
        .hasMessageContaining("multiplier");
    assertThatThrownBy(() -> Backoff.fixed(Duration.ofSeconds(1)).delay(0))
        .hasMessageContaining("failures");
  }

  @Property
  void delayNeverShrinksAndStaysWithinBounds(
      @ForAll @IntRange(min = 1, max = 500) int failures,
      @ForAll @IntRange(min = 1, max = 10_000) int initialMillis,
      @ForAll @IntRange(min = 0, max = 100_000) int extraMillis,
      @ForAll @IntRange(min = 100, max = 400) int multiplierPercent) {
    Backoff b =
        new Backoff(
            Duration.ofMillis(initialMillis),
            Duration.ofMillis(initialMillis + (long) extraMillis),
            multiplierPercent / 100.0);
    assertThat(b.delay(failures)).isBetween(b.initial(), b.max());
    assertThat(b.delay(failures + 1)).isGreaterThanOrEqualTo(b.delay(failures));
  }
}
