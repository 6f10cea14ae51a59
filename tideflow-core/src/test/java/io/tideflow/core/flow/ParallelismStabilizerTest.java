package io.tideflow.core.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ParallelismStabilizerTest {
  private final Instant t0 = Instant.parse("2026-12-03T12:00:00Z");

  private Instant at(int seconds) {
    return t0.plusSeconds(seconds);
  }

  @Test
  void moreInstancesAreTakenAtOnceFewerOnlyAfterTheWindowAndTheInterval() {
    ParallelismStabilizer s =
        new ParallelismStabilizer(4, t0, Duration.ofMinutes(1), Duration.ofMinutes(5));
    assertThat(s.offer(8, at(10))).as("up at once").isEqualTo(8);
    // Load falls at once, but the last change was 10 s ago: held.
    assertThat(s.offer(3, at(20))).isEqualTo(8);
    assertThat(s.offer(3, at(200))).isEqualTo(8);
    // A spike inside the window keeps the highest recommendation.
    assertThat(s.offer(6, at(280))).isEqualTo(8);
    assertThat(s.offer(3, at(320))).as("5 min since the change; 6 is in the window").isEqualTo(6);
    assertThat(s.offer(3, at(400)))
        .as("the 6 left the window, but the interval holds")
        .isEqualTo(6);
    assertThat(s.offer(3, at(640))).isEqualTo(3);
  }

  @Test
  void aRecommendationThatSwingsEveryMinuteChangesNothingDownward() {
    ParallelismStabilizer s =
        new ParallelismStabilizer(10, t0, Duration.ofMinutes(5), Duration.ofMinutes(10));
    int changes = 0;
    int last = s.current();
    for (int minute = 1; minute <= 60; minute++) {
      int now = s.offer(minute % 2 == 0 ? 10 : 5, at(60 * minute));
      if (now != last) {
        changes++;
        last = now;
      }
    }
    assertThat(changes).isZero();
    assertThat(s.current()).isEqualTo(10);
  }
}
