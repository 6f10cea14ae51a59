package io.tideflow.core.autoscale;

import java.time.Instant;
import java.util.Map;

/** Builds metric windows for the tests. */
final class Samples {
  static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");

  private Samples() {}

  static MetricsWindow one(Instant at, String metric, double value) {
    return MetricsWindow.of(new MetricsWindow.Sample(at, Map.of(metric, value)));
  }

  static MetricsWindow cpu(Instant at, double value) {
    return one(at, MetricsWindow.CPU, value);
  }
}
