package io.tideflow.runtime.flow;

import io.tideflow.core.flow.Backpressure;
import io.tideflow.core.flow.FlowHealth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How instances spent the time between two looks at their counters, as {@link Backpressure} reads
 * it.
 */
public final class InstanceTimes {
  private InstanceTimes() {}

  /**
   * Each instance's busy, backpressured and idle shares between {@code before} and {@code after}
   * (snapshots of the same instances); an instance without time between them is left out.
   */
  public static Map<String, Backpressure.Time> between(
      List<InstanceStats> before, List<InstanceStats> after) {
    Map<String, InstanceStats> earlier = new HashMap<>();
    before.forEach(s -> earlier.put(s.instance(), s));
    Map<String, Backpressure.Time> times = new HashMap<>();
    for (InstanceStats a : after) {
      InstanceStats b = earlier.get(a.instance());
      if (b == null) {
        continue;
      }
      double busy = Math.max(0, a.busyNanos() - b.busyNanos());
      double held = Math.max(0, a.backpressuredNanos() - b.backpressuredNanos());
      double idle = Math.max(0, a.idleNanos() - b.idleNanos());
      double total = busy + held + idle;
      if (total > 0) {
        times.put(a.instance(), new Backpressure.Time(busy / total, held / total, idle / total));
      }
    }
    return times;
  }

  /**
   * What each instance of {@code after} did in the {@code periodNanos} since {@code before}:
   * messages per second in and out, the split of its time, and what waits in its inputs now; an
   * instance without time between them counts as idle.
   */
  public static List<FlowHealth.Instance> instances(
      List<InstanceStats> before, List<InstanceStats> after, long periodNanos) {
    Map<String, InstanceStats> earlier = new HashMap<>();
    before.forEach(s -> earlier.put(s.instance(), s));
    Map<String, Backpressure.Time> times = between(before, after);
    double seconds = periodNanos / 1e9;
    List<FlowHealth.Instance> instances = new ArrayList<>();
    for (InstanceStats a : after) {
      InstanceStats b = earlier.get(a.instance());
      long in = b == null ? a.received() : a.received() - b.received();
      long out = b == null ? a.emitted() : a.emitted() - b.emitted();
      instances.add(
          new FlowHealth.Instance(
              a.instance(),
              Math.max(0, in) / seconds,
              Math.max(0, out) / seconds,
              times.getOrDefault(a.instance(), new Backpressure.Time(0, 0, 1)),
              a.queued()));
    }
    return instances;
  }
}
