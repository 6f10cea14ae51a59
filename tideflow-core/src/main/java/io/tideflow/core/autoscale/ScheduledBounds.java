package io.tideflow.core.autoscale;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Floors and ceilings that hold at certain times, cron-like: e.g. "at least 10 nodes on weekdays
 * 08:00–18:00 Europe/Berlin". Where several windows hold at once, the highest floor and the lowest
 * ceiling win. Outside every window the pool's own limits apply.
 */
public record ScheduledBounds(List<Window> windows) {

  /**
   * A recurring window.
   *
   * @param days the days it starts on
   * @param from start time of day, inclusive
   * @param to end time of day, exclusive; before {@code from} means it runs past midnight
   * @param zone the time zone of {@code from} and {@code to}
   * @param min floor while it holds
   * @param max ceiling while it holds
   */
  public record Window(
      Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone, int min, int max) {
    public Window {
      if (days.isEmpty()) {
        throw new IllegalArgumentException("days must not be empty");
      }
      if (from.equals(to)) {
        throw new IllegalArgumentException("from and to must differ, both were " + from);
      }
      if (min < 0 || max < min) {
        throw new IllegalArgumentException(
            "window bounds must satisfy 0 <= min <= max, were min=" + min + " max=" + max);
      }
      days = Set.copyOf(EnumSet.copyOf(days));
    }

    /** True when {@code at} falls in this window. */
    public boolean holds(Instant at) {
      ZonedDateTime t = at.atZone(zone);
      LocalTime time = t.toLocalTime();
      if (from.isBefore(to)) {
        return days.contains(t.getDayOfWeek()) && !time.isBefore(from) && time.isBefore(to);
      }
      // Past midnight: the part after 'from' belongs to today, the part before 'to' to yesterday.
      return (days.contains(t.getDayOfWeek()) && !time.isBefore(from))
          || (days.contains(t.getDayOfWeek().minus(1)) && time.isBefore(to));
    }
  }

  public ScheduledBounds {
    windows = List.copyOf(windows);
  }

  public static ScheduledBounds none() {
    return new ScheduledBounds(List.of());
  }

  /** The pool's limits with the windows that hold at {@code at} applied. */
  public PoolLimits apply(PoolLimits limits, Instant at) {
    int min = limits.min();
    int max = limits.max();
    boolean any = false;
    int floor = 0;
    int ceiling = Integer.MAX_VALUE;
    for (Window w : windows) {
      if (w.holds(at)) {
        any = true;
        floor = Math.max(floor, w.min());
        ceiling = Math.min(ceiling, w.max());
      }
    }
    if (!any) {
      return limits;
    }
    min = Math.max(min, floor);
    max = Math.min(max, ceiling);
    if (max < min) {
      max = min; // a floor above the ceiling: the floor wins, capacity over savings
    }
    return new PoolLimits(
        min, max, limits.upCooldown(), limits.downCooldown(), limits.maxGrowthFactor());
  }
}
