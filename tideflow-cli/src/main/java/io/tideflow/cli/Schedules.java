package io.tideflow.cli;

import io.tideflow.core.autoscale.ScheduledBounds;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads {@code --schedule} windows: {@code DAYS FROM-TO [ZONE] min=N max=M}, days as {@code
 * mon-fri}, {@code sat,sun} or {@code daily}, times as {@code HH:MM} ({@code to} before {@code
 * from} runs past midnight), the zone as an IANA name (default UTC).
 */
final class Schedules {
  private Schedules() {}

  static ScheduledBounds parse(List<String> windows) {
    List<ScheduledBounds.Window> out = new ArrayList<>();
    for (String w : windows) {
      try {
        out.add(window(w));
      } catch (IllegalArgumentException | DateTimeException e) {
        throw new IllegalArgumentException(
            "--schedule '"
                + w
                + "': "
                + e.getMessage()
                + " (e.g. 'mon-fri 08:00-18:00 Europe/Berlin min=4 max=20')",
            e);
      }
    }
    return new ScheduledBounds(out);
  }

  private static ScheduledBounds.Window window(String text) {
    String[] parts = text.strip().split("\\s+");
    if (parts.length < 3) {
      throw new IllegalArgumentException("give days, a time range and min= or max=");
    }
    Set<DayOfWeek> days = days(parts[0]);
    String[] range = parts[1].split("-");
    if (range.length != 2) {
      throw new IllegalArgumentException("the time range is FROM-TO, was '" + parts[1] + "'");
    }
    LocalTime from;
    LocalTime to;
    try {
      from = LocalTime.parse(range[0]);
      to = LocalTime.parse(range[1]);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("times are HH:MM, was '" + parts[1] + "'", e);
    }
    ZoneId zone = ZoneOffset.UTC;
    Integer min = null;
    Integer max = null;
    for (int i = 2; i < parts.length; i++) {
      String p = parts[i];
      if (p.startsWith("min=")) {
        min = count(p);
      } else if (p.startsWith("max=")) {
        max = count(p);
      } else if (i == 2) {
        zone = ZoneId.of(p);
      } else {
        throw new IllegalArgumentException("unknown part '" + p + "'");
      }
    }
    if (min == null && max == null) {
      throw new IllegalArgumentException("give min=N, max=N or both");
    }
    return new ScheduledBounds.Window(
        days, from, to, zone, min == null ? 0 : min, max == null ? Integer.MAX_VALUE : max);
  }

  private static int count(String p) {
    try {
      return Integer.parseInt(p.substring(4));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + p + "' needs a whole number", e);
    }
  }

  private static Set<DayOfWeek> days(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    if (t.equals("daily")) {
      return EnumSet.allOf(DayOfWeek.class);
    }
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    for (String part : t.split(",")) {
      String[] range = part.split("-");
      DayOfWeek a = day(range[0]);
      DayOfWeek b = range.length > 1 ? day(range[1]) : a;
      for (DayOfWeek d = a; ; d = d.plus(1)) {
        days.add(d);
        if (d == b) {
          break;
        }
      }
    }
    return days;
  }

  private static DayOfWeek day(String s) {
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.name().toLowerCase(Locale.ROOT).startsWith(s) && s.length() >= 3) {
        return d;
      }
    }
    throw new IllegalArgumentException("'" + s + "' is not a day (mon, tue, … sun)");
  }
}
