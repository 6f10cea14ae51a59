package io.tideflow.core.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * An amount of resources: cpu in millicores, memory in bytes, network in bytes per second, and
 * named custom resources (for example {@code gpu}) as whole units. Immutable; every amount is
 * {@code >= 0}. Used both for a node's capacity and for a task's demand.
 */
public record Resources(
    long cpuMillis, long memoryBytes, long networkBytesPerSec, Map<String, Long> custom) {

  public static final Resources ZERO = new Resources(0, 0, 0, Map.of());

  public Resources {
    Checks.nonNegative("cpuMillis", cpuMillis);
    Checks.nonNegative("memoryBytes", memoryBytes);
    Checks.nonNegative("networkBytesPerSec", networkBytesPerSec);
    Checks.notNull("custom", custom);
    TreeMap<String, Long> copy = new TreeMap<>();
    custom.forEach(
        (name, amount) -> {
          Checks.notBlank("custom resource name", name);
          Checks.notNull("custom[" + name + "]", amount);
          Checks.nonNegative("custom[" + name + "]", amount);
          if (amount > 0) {
            copy.put(name, amount);
          }
        });
    custom = Map.copyOf(copy);
  }

  public static Resources of(long cpuMillis, long memoryBytes) {
    return new Resources(cpuMillis, memoryBytes, 0, Map.of());
  }

  public static Resources of(long cpuMillis, long memoryBytes, long networkBytesPerSec) {
    return new Resources(cpuMillis, memoryBytes, networkBytesPerSec, Map.of());
  }

  public Resources withCustom(String name, long amount) {
    TreeMap<String, Long> copy = new TreeMap<>(custom);
    copy.put(name, amount);
    return new Resources(cpuMillis, memoryBytes, networkBytesPerSec, copy);
  }

  public long custom(String name) {
    return custom.getOrDefault(name, 0L);
  }

  public Resources add(Resources other) {
    TreeMap<String, Long> sum = new TreeMap<>(custom);
    other.custom.forEach((k, v) -> sum.merge(k, v, Math::addExact));
    return new Resources(
        Math.addExact(cpuMillis, other.cpuMillis),
        Math.addExact(memoryBytes, other.memoryBytes),
        Math.addExact(networkBytesPerSec, other.networkBytesPerSec),
        sum);
  }

  /**
   * Returns this minus {@code other}.
   *
   * @throws IllegalArgumentException if any amount would fall below zero, naming the resource
   */
  public Resources subtract(Resources other) {
    TreeMap<String, Long> diff = new TreeMap<>(custom);
    other.custom.forEach(
        (k, v) -> {
          long left = diff.getOrDefault(k, 0L) - v;
          if (left < 0) {
            throw new IllegalArgumentException(
                "custom[" + k + "] must be >= 0, was " + left + " after subtracting " + v);
          }
          diff.put(k, left);
        });
    return new Resources(
        checkedDiff("cpuMillis", cpuMillis, other.cpuMillis),
        checkedDiff("memoryBytes", memoryBytes, other.memoryBytes),
        checkedDiff("networkBytesPerSec", networkBytesPerSec, other.networkBytesPerSec),
        diff);
  }

  private static long checkedDiff(String field, long a, long b) {
    long left = a - b;
    if (left < 0) {
      throw new IllegalArgumentException(
          field + " must be >= 0, was " + left + " after subtracting " + b + " from " + a);
    }
    return left;
  }

  /** True when every amount of this fits within {@code capacity}. */
  public boolean fitsIn(Resources capacity) {
    return firstShortfall(capacity) == null;
  }

  /**
   * Names the first resource of this that does not fit in {@code capacity} ({@code "cpu"}, {@code
   * "memory"}, {@code "network"} or a custom name), or null when all fit.
   */
  public String firstShortfall(Resources capacity) {
    if (cpuMillis > capacity.cpuMillis) {
      return "cpu";
    }
    if (memoryBytes > capacity.memoryBytes) {
      return "memory";
    }
    if (networkBytesPerSec > capacity.networkBytesPerSec) {
      return "network";
    }
    for (Map.Entry<String, Long> e : custom.entrySet()) {
      if (e.getValue() > capacity.custom(e.getKey())) {
        return e.getKey();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("cpu=")
            .append(cpuMillis)
            .append("m mem=")
            .append(memoryBytes)
            .append("B net=")
            .append(networkBytesPerSec)
            .append("B/s");
    custom.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    return sb.toString();
  }
}
