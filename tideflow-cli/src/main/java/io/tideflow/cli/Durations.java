package io.tideflow.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Reads durations written as {@code 500ms}, {@code 3s}, {@code 2m} or ISO-8601 ({@code PT3S}). */
final class Durations implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("pt")) {
        return Duration.parse(value);
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofMillis(
            Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
      }
      if (v.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
      }
    } catch (RuntimeException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration (e.g. 500ms, 3s, 2m)");
    }
    throw new CommandLine.TypeConversionException(
        "'" + value + "' is not a duration (e.g. 500ms, 3s, 2m)");
  }
}
