package io.tideflow.runtime.flow;

import io.tideflow.core.flow.Backpressure;
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
}
