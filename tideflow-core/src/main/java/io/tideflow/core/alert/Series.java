package io.tideflow.core.alert;

import java.util.Map;
import java.util.TreeMap;

/**
 * One value of one metric series at an evaluation, named as the Prometheus text format names it
 * ({@code tideflow_nodes{state="GONE"}}, a counter with its {@code _total}).
 *
 * @param labels its labels, without the name
 */
public record Series(String name, Map<String, String> labels, double value) {
  public Series {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("series name must not be blank, was '" + name + "'");
    }
    labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
  }

  /** The series' identity: its name and labels, values aside. */
  public String key() {
    return name + labels;
  }
}
