package io.tideflow.store.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class MonotonicClockTest {

  @Test
  void neverGoesBackwardsAndAgreesWithItselfInMillis() {
    InstantSource clock = MonotonicClock.system();
    Instant previous = clock.instant();
    for (int i = 0; i < 100_000; i++) {
      Instant now = clock.instant();
      assertThat(now).isAfterOrEqualTo(previous);
      long millis = clock.millis();
      assertThat(millis).isGreaterThanOrEqualTo(now.toEpochMilli());
      previous = now;
    }
  }

  @Test
  void startsAtWallClockTime() {
    // The clock is anchored to the wall clock when the process first uses it and then only
    // advances by elapsed time; within one test run the two agree to well under a minute.
    Instant wall = Instant.now();
    Instant mono = MonotonicClock.system().instant();
    assertThat(Duration.between(wall, mono).abs()).isLessThan(Duration.ofMinutes(1));
  }

  @Test
  void isOneClockPerProcess() {
    assertThat(MonotonicClock.system()).isSameAs(MonotonicClock.system());
  }
}
