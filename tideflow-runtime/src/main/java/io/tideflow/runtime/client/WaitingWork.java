package io.tideflow.runtime.client;

import io.tideflow.core.model.LabelSelector;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.Resources;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Groups the tasks that wait for a fitting node by shape, for the autoscaler and {@code status}.
 */
final class WaitingWork {
  private WaitingWork() {}

  /**
   * Those of {@code waiting} that wait for want of a fitting node, by shape, most numerous first.
   */
  static List<PendingWork> summarize(Collection<TaskAttempt> waiting) {
    record Shape(Resources demand, LabelSelector selector, Set<String> tolerations) {}
    Map<Shape, int[]> counts = new HashMap<>();
    Map<Shape, String> reasons = new HashMap<>();
    for (TaskAttempt t : waiting) {
      if (t.settled() || t.lastNoFit == null) {
        continue;
      }
      Shape shape = new Shape(t.request.demand(), t.request.selector(), t.request.tolerations());
      counts.computeIfAbsent(shape, k -> new int[1])[0]++;
      reasons.put(shape, t.lastNoFit);
    }
    List<PendingWork> work = new ArrayList<>();
    counts.forEach(
        (shape, n) ->
            work.add(
                new PendingWork(
                    shape.demand(),
                    shape.selector(),
                    shape.tolerations(),
                    n[0],
                    reasons.get(shape))));
    work.sort((a, b) -> Integer.compare(b.count(), a.count()));
    return work;
  }
}
