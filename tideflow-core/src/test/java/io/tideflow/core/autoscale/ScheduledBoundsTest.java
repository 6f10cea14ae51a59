package io.tideflow.core.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduledBoundsTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private final ScheduledBounds.Window businessHours =
      new ScheduledBounds.Window(
          EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
          LocalTime.of(8, 0),
          LocalTime.of(18, 0),
          BERLIN,
          10,
          40);
  private final ScheduledBounds.Window nightlyBatch =
      new ScheduledBounds.Window(
          EnumSet.of(DayOfWeek.SUNDAY), LocalTime.of(22, 0), LocalTime.of(2, 0), BERLIN, 0, 5);

  @Test
  void raisesTheFloorDuringBusinessHoursInTheirTimeZone() {
    ScheduledBounds bounds = new ScheduledBounds(List.of(businessHours));
    PoolLimits limits = PoolLimits.of(2, 100);
    // Tuesday 09:30 in Berlin is 08:30 UTC in winter.
    assertThat(bounds.apply(limits, Instant.parse("2026-11-24T08:30:00Z")).min()).isEqualTo(10);
    assertThat(bounds.apply(limits, Instant.parse("2026-11-24T08:30:00Z")).max()).isEqualTo(40);
    // 18:30 Berlin: outside.
    assertThat(bounds.apply(limits, Instant.parse("2026-11-24T17:30:00Z"))).isEqualTo(limits);
    // Saturday: outside.
    assertThat(bounds.apply(limits, Instant.parse("2026-11-28T09:00:00Z"))).isEqualTo(limits);
  }

  @Test
  void aWindowRunsPastMidnightIntoTheNextDay() {
    assertThat(nightlyBatch.holds(Instant.parse("2026-11-29T21:30:00Z"))).isTrue(); // Sun 22:30
    assertThat(nightlyBatch.holds(Instant.parse("2026-11-30T00:30:00Z"))).isTrue(); // Mon 01:30
    assertThat(nightlyBatch.holds(Instant.parse("2026-11-30T01:30:00Z"))).isFalse(); // Mon 02:30
  }

  @Test
  void aFloorAboveTheCeilingWins() {
    ScheduledBounds bounds = new ScheduledBounds(List.of(businessHours));
    PoolLimits limits = PoolLimits.of(0, 4);
    PoolLimits applied = bounds.apply(limits, Instant.parse("2026-11-24T08:30:00Z"));
    assertThat(applied.min()).isEqualTo(10);
    assertThat(applied.max()).isEqualTo(10);
  }

  @Test
  void rejectsAnEmptyWindow() {
    assertThatThrownBy(
            () ->
                new ScheduledBounds.Window(
                    EnumSet.of(DayOfWeek.MONDAY), LocalTime.NOON, LocalTime.NOON, BERLIN, 0, 1))
        .hasMessage("from and to must differ, both were 12:00");
  }
}
