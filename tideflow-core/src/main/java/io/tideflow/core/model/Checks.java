package io.tideflow.core.model;

import java.util.Map;

/** Argument checks whose messages name the field and the value, as every model record needs. */
final class Checks {
  private Checks() {}

  static long nonNegative(String field, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must be >= 0, was " + value);
    }
    return value;
  }

  static int positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, was " + value);
    }
    return value;
  }

  static String notBlank(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          field + " must not be blank, was " + (value == null ? "null" : "'" + value + "'"));
    }
    return value;
  }

  static <T> T notNull(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
    return value;
  }

  static Map<String, String> labels(String field, Map<String, String> labels) {
    notNull(field, labels);
    labels.forEach(
        (k, v) -> {
          notBlank(field + " key", k);
          notNull(field + "[" + k + "]", v);
        });
    return Map.copyOf(labels);
  }
}
