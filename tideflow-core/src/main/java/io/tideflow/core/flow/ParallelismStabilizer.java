package io.tideflow.core.flow;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps one process's parallelism from churning: more instances are taken at once, fewer only when
 * every recommendation of the last {@code window} asked for fewer (the highest of them is taken, as
 * Kubernetes' HPA stabilises scale-down) and at least {@code scaleDownInterval} has passed since
 * the last change. Flink's autoscaler, without such an interval, rescales many times a day. Time
 * comes in as a value; one instance per process, used by one thread.
 */
public final class ParallelismStabilizer {
  private final Duration window;
  private final Duration scaleDownInterval;
  private final Deque<Instant> times = new ArrayDeque<>();
  private final Deque<Integer> recommendations = new ArrayDeque<>();
  private int current;
  private Instant changedAt;

  /**
   * @throws IllegalArgumentException for a negative duration or a parallelism below 1
   */
  public ParallelismStabilizer(
      int parallelism, Instant now, Duration window, Duration scaleDownInterval) {
    if (parallelism < 1 || window.isNegative() || scaleDownInterval.isNegative()) {
      throw new IllegalArgumentException(
          "parallelism must be >= 1 and durations >= 0, were "
              + parallelism
              + ", "
              + window
              + ", "
              + scaleDownInterval);
    }
    this.current = parallelism;
    this.changedAt = now;
    this.window = window;
    this.scaleDownInterval = scaleDownInterval;
  }

  /** Takes {@code recommended} (e.g. DS2's) at {@code now}; returns the parallelism to run. */
  public int offer(int recommended, Instant now) {
    times.addLast(now);
    recommendations.addLast(recommended);
    while (!times.isEmpty() && times.peekFirst().isBefore(now.minus(window))) {
      times.removeFirst();
      recommendations.removeFirst();
    }
    if (recommended > current) {
      current = recommended;
      changedAt = now;
    } else {
      int highest = recommendations.stream().mapToInt(Integer::intValue).max().orElse(current);
      if (highest < current && !now.isBefore(changedAt.plus(scaleDownInterval))) {
        current = highest;
        changedAt = now;
      }
    }
    return current;
  }

  public int current() {
    return current;
  }
}
