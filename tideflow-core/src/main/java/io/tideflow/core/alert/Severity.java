package io.tideflow.core.alert;

import java.util.Locale;

/** How urgent an alert is: the {@code severity} label every alert carries. */
public enum Severity {
  INFO,
  WARNING,
  CRITICAL;

  /** The label value: {@code info}, {@code warning} or {@code critical}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The severity a label value names.
   *
   * @throws IllegalArgumentException naming the value and the ones allowed
   */
  public static Severity parse(String value) {
    for (Severity s : values()) {
      if (s.label().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "severity must be info, warning or critical, was '" + value + "'");
  }
}
