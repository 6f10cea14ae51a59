package io.tideflow.core.model;

import java.util.HashMap;
import java.util.Map;

/**
 * What is already placed on one node: the resources held and the labels of the work holding them.
 *
 * @param allocated resources held by the placed work
 * @param tasks how many pieces of work are placed
 * @param workLabels {@code key=value} label of placed work → how many pieces carry it
 */
public record NodeAllocation(Resources allocated, int tasks, Map<String, Integer> workLabels) {

  public static final NodeAllocation EMPTY = new NodeAllocation(Resources.ZERO, 0, Map.of());

  public NodeAllocation {
    Checks.notNull("allocated", allocated);
    Checks.nonNegative("tasks", tasks);
    Checks.notNull("workLabels", workLabels);
    workLabels.forEach((k, v) -> Checks.positive("workLabels[" + k + "]", v));
    workLabels = Map.copyOf(workLabels);
  }

  /** The key of a work label in {@link #workLabels}. */
  public static String labelKey(String key, String value) {
    return key + "=" + value;
  }

  /** True when some placed work carries label {@code key=value}. */
  public boolean runs(String key, String value) {
    return !workLabels.isEmpty() && workLabels.containsKey(labelKey(key, value));
  }

  NodeAllocation plus(Resources demand, Map<String, String> labels) {
    return new NodeAllocation(allocated.add(demand), tasks + 1, merged(labels, 1));
  }

  NodeAllocation minus(Resources demand, Map<String, String> labels) {
    if (tasks == 0) {
      throw new IllegalArgumentException("tasks must be > 0 to release work, was 0");
    }
    return new NodeAllocation(allocated.subtract(demand), tasks - 1, merged(labels, -1));
  }

  private Map<String, Integer> merged(Map<String, String> labels, int delta) {
    if (labels.isEmpty()) {
      return workLabels;
    }
    Map<String, Integer> copy = new HashMap<>(workLabels);
    labels.forEach(
        (k, v) -> {
          int left = copy.getOrDefault(labelKey(k, v), 0) + delta;
          if (left < 0) {
            throw new IllegalArgumentException(
                "workLabels[" + labelKey(k, v) + "] must be >= 0, was " + left);
          }
          if (left == 0) {
            copy.remove(labelKey(k, v));
          } else {
            copy.put(labelKey(k, v), left);
          }
        });
    return copy;
  }
}
