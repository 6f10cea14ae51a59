package io.tideflow.core.flow;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The vertical scaler's decision for one deployed flow: every process that may change (it takes
 * input, and holds no state, or only state split by key group) follows the parallelism DS2
 * recommends, within {@code [1, maxParallelism]}, through a {@link ParallelismStabilizer} of its
 * own, so that it grows at once but shrinks only after a window of lower recommendations and a
 * scale-down interval; and after a change the flow is left alone for a cool-down while the new
 * instances show their rates. Pure: time comes in as a value; one instance per deployment, used by
 * one thread.
 */
public final class FlowScaling {
  private final Duration window;
  private final Duration scaleDownInterval;
  private final Duration coolDown;
  private final Map<String, ParallelismStabilizer> stabilizers = new LinkedHashMap<>();
  private final Instant since;
  private Instant quietUntil;

  /**
   * @param window how long a lower recommendation must stand before the parallelism goes down
   * @param scaleDownInterval how long after a change the parallelism may go down again
   * @param coolDown how long after a change no decision is taken at all
   * @throws IllegalArgumentException for a negative duration
   */
  public FlowScaling(Duration window, Duration scaleDownInterval, Duration coolDown, Instant now) {
    if (window.isNegative() || scaleDownInterval.isNegative() || coolDown.isNegative()) {
      throw new IllegalArgumentException(
          "durations must be >= 0, were " + window + ", " + scaleDownInterval + ", " + coolDown);
    }
    this.window = window;
    this.scaleDownInterval = scaleDownInterval;
    this.coolDown = coolDown;
    this.since = now;
    this.quietUntil = now.plus(coolDown);
  }

  /**
   * The parallelism every process of {@code flow} should run at, when it differs from what runs;
   * else empty.
   *
   * @param recommended DS2's parallelism by process, from one period's rates; empty while not every
   *     instance has reported
   * @param fixed processes that keep their parallelism (they hold state not split by key group)
   * @param maxParallelism the most instances a process is given, and no more than a keyed input of
   *     it has key groups
   */
  public Map<String, Integer> decide(
      Flow flow,
      Map<String, Integer> recommended,
      Set<String> fixed,
      int maxParallelism,
      Instant now) {
    if (recommended.isEmpty() || now.isBefore(quietUntil)) {
      return Map.of();
    }
    Map<String, Integer> next = new LinkedHashMap<>();
    boolean changed = false;
    for (ProcessSpec p : flow.processes()) {
      int n = p.parallelism();
      Integer r = recommended.get(p.name());
      if (!p.inputs().isEmpty() && !fixed.contains(p.name()) && r != null) {
        int running = n;
        // Counted from the deployment: its parallelism was chosen then.
        ParallelismStabilizer s =
            stabilizers.computeIfAbsent(
                p.name(),
                k -> new ParallelismStabilizer(running, since, window, scaleDownInterval));
        n = s.offer(Math.max(1, Math.min(ceiling(flow, p, maxParallelism), r)), now);
      }
      next.put(p.name(), n);
      changed |= n != p.parallelism();
    }
    if (!changed) {
      return Map.of();
    }
    quietUntil = now.plus(coolDown);
    return next;
  }

  /**
   * The most instances {@code p} may get: {@code maxParallelism}, and no more than a keyed input
   * has key groups (an instance without a group would take nothing).
   */
  static int ceiling(Flow flow, ProcessSpec p, int maxParallelism) {
    int ceiling = maxParallelism;
    for (Connection c : flow.connections()) {
      if (c.to().equals(p.name()) && c.routing() == Routing.KEYED) {
        ceiling = Math.min(ceiling, c.keyGroups());
      }
    }
    return ceiling;
  }

  /** {@code flow} with every process at the parallelism {@code parallelism} gives it. */
  public static Flow rescaled(Flow flow, Map<String, Integer> parallelism) {
    Flow.Builder b = Flow.builder(flow.name());
    for (ProcessSpec p : flow.processes()) {
      b.process(p.withParallelism(parallelism.getOrDefault(p.name(), p.parallelism())));
    }
    for (Connection c : flow.connections()) {
      b.connect(c);
    }
    return b.build();
  }
}
