package io.tideflow.server.report;

import java.util.Locale;
import java.util.Random;

/** Deterministic timelines for tests and for looking at the output. */
final class SampleTimelines {
  private static final double CAPACITY_PER_NODE = 900;

  private SampleTimelines() {}

  /**
   * 120 s of load ramping from 200 to 4,000 tasks/s, holding, and ramping down; the node count
   * follows with a lag, a node is killed at 60 s, and there are four events.
   */
  static RunTimeline rampUpAndDown() {
    Random random = new Random(42);
    RunTimeline.Builder builder = RunTimeline.builder("tideflow demo: ramp 200 -> 4,000 tasks/s");
    long submitted = 0;
    for (int t = 0; t <= 120; t++) {
      double offered = offered(t);
      int nodes = nodes(t);
      double capacity = nodes * CAPACITY_PER_NODE * (t >= 60 && t < 63 ? 0.7 : 1.0);
      double throughput = Math.min(offered, capacity) * (0.985 + 0.015 * random.nextDouble());
      double utilisation = Math.min(1.2, offered / capacity);
      double p50 = 2.0 + 4 * Math.pow(utilisation, 6) + 0.2 * random.nextDouble();
      double p99 = p50 * (3 + random.nextDouble()) * (utilisation > 0.97 ? 8 : 1);
      long retried = t >= 60 && t < 63 ? 40 - 10 * (t - 60) : 0;
      builder.point(t, offered, throughput, nodes, p50, p99, retried, 0);
      submitted += Math.round(offered);
    }
    return builder
        .event(12, RunTimeline.Event.SCALE_UP, "cpu 88% > 75% for 10s: 1 -> 3 nodes")
        .event(29, RunTimeline.Event.SCALE_UP, "queue depth 4,100 > 1,000: 3 -> 6 nodes")
        .event(60, RunTimeline.Event.NODE_KILLED, "chaos: killed node-4 (38 tasks retried)")
        .event(101, RunTimeline.Event.SCALE_DOWN, "cpu 21% < 30% for 15s: 5 -> 2 nodes")
        .summary("duration", "120 s")
        .summary("submitted", String.format(Locale.ROOT, "%,d", submitted))
        .summary("failed", "0")
        .summary("peak nodes", "6")
        .build();
  }

  /** A small timeline whose every series is flat, so colours are easy to find. */
  static RunTimeline flat(int seconds) {
    RunTimeline.Builder builder = RunTimeline.builder("flat");
    for (int t = 0; t <= seconds; t++) {
      builder.point(t, 1000, 600, 3, 2, 40);
    }
    return builder.build();
  }

  private static double offered(int t) {
    if (t < 40) {
      return 200 + 3800 * t / 40.0;
    }
    if (t < 80) {
      return 4000;
    }
    return Math.max(200, 4000 - 3800 * (t - 80) / 30.0);
  }

  private static int nodes(int t) {
    if (t < 12) {
      return 1;
    }
    if (t < 29) {
      return 3;
    }
    if (t < 60) {
      return 6;
    }
    return t < 101 ? 5 : 2;
  }
}
