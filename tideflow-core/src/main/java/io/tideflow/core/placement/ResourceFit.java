package io.tideflow.core.placement;

import io.tideflow.core.model.Resources;
import java.util.Map;

/** Arithmetic of demand against capacity minus allocation, without building intermediate values. */
final class ResourceFit {
  private ResourceFit() {}

  /**
   * Names the first resource ({@code cpu}, {@code memory}, {@code network} or a custom name) where
   * {@code allocated + demand} exceeds {@code capacity}, or null when every kind fits. Written as
   * {@code demand > capacity - allocated} so it cannot overflow.
   */
  static String shortfall(Resources demand, Resources allocated, Resources capacity) {
    if (demand.cpuMillis() > capacity.cpuMillis() - allocated.cpuMillis()) {
      return "cpu";
    }
    if (demand.memoryBytes() > capacity.memoryBytes() - allocated.memoryBytes()) {
      return "memory";
    }
    if (demand.networkBytesPerSec()
        > capacity.networkBytesPerSec() - allocated.networkBytesPerSec()) {
      return "network";
    }
    if (!demand.custom().isEmpty()) {
      for (Map.Entry<String, Long> e : demand.custom().entrySet()) {
        String name = e.getKey();
        if (e.getValue() > capacity.custom(name) - allocated.custom(name)) {
          return name;
        }
      }
    }
    return null;
  }

  /** Fraction of capacity in use after adding demand; 0 for a kind the node has none of. */
  static double fraction(long demand, long allocated, long capacity) {
    return capacity <= 0 ? 0 : (double) (demand + allocated) / capacity;
  }

  static double cpu(Resources demand, Resources allocated, Resources capacity) {
    return fraction(demand.cpuMillis(), allocated.cpuMillis(), capacity.cpuMillis());
  }

  static double memory(Resources demand, Resources allocated, Resources capacity) {
    return fraction(demand.memoryBytes(), allocated.memoryBytes(), capacity.memoryBytes());
  }

  /**
   * Fractions in use after placing, for the kinds scorers weigh: cpu and memory always (as kube's
   * default), network and each custom kind only when the demand asks for it.
   */
  static int fractions(Resources demand, Resources allocated, Resources capacity, double[] out) {
    int n = 0;
    out[n++] = cpu(demand, allocated, capacity);
    out[n++] = memory(demand, allocated, capacity);
    if (demand.networkBytesPerSec() > 0 && n < out.length) {
      out[n++] =
          fraction(
              demand.networkBytesPerSec(),
              allocated.networkBytesPerSec(),
              capacity.networkBytesPerSec());
    }
    if (!demand.custom().isEmpty()) {
      for (Map.Entry<String, Long> e : demand.custom().entrySet()) {
        if (n == out.length) {
          break;
        }
        out[n++] =
            fraction(e.getValue(), allocated.custom(e.getKey()), capacity.custom(e.getKey()));
      }
    }
    return n;
  }
}
