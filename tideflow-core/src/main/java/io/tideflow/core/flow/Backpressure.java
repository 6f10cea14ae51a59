package io.tideflow.core.flow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a flow is held back, from each instance's time over the last second split three ways, as
 * Flink shows it: busy (processing), backpressured (waiting for room downstream) and idle (waiting
 * for input). An instance is backpressured when it spends at least half its time so; busy when it
 * spends at least {@code busyThreshold} processing. The root cause of backpressure is a busy
 * instance that is not itself backpressured but that a backpressured instance sends to: the one to
 * scale, where everything upstream of it only looks slow. Pure.
 */
public final class Backpressure {
  /** How an instance spent its last second. */
  public enum State {
    BUSY,
    BACKPRESSURED,
    IDLE
  }

  /**
   * One instance's last second, in fractions.
   *
   * @param busy processing
   * @param backpressured waiting for room downstream
   * @param idle waiting for input
   */
  public record Time(double busy, double backpressured, double idle) {
    public Time {
      if (!(busy >= 0) || !(backpressured >= 0) || !(idle >= 0)) {
        throw new IllegalArgumentException(
            "times must be >= 0, were " + busy + ", " + backpressured + ", " + idle);
      }
    }
  }

  /** Each instance's state ({@code process#i}) and the root causes, in flow order. */
  public record Diagnosis(Map<String, State> states, List<String> rootCauses) {}

  private Backpressure() {}

  /**
   * @param times by instance, {@code process#i}; an instance without one counts as idle
   * @param busyThreshold the share of its time an instance must process to count as busy
   */
  public static Diagnosis diagnose(Flow flow, Map<String, Time> times, double busyThreshold) {
    Map<String, State> states = new LinkedHashMap<>();
    for (ProcessSpec p : flow.processes()) {
      for (int i = 0; i < p.parallelism(); i++) {
        String id = p.name() + "#" + i;
        Time t = times.getOrDefault(id, new Time(0, 0, 1));
        states.put(
            id,
            t.backpressured() >= 0.5
                ? State.BACKPRESSURED
                : t.busy() >= busyThreshold ? State.BUSY : State.IDLE);
      }
    }
    List<String> causes = new ArrayList<>();
    for (Connection c : flow.connections()) {
      int senders = flow.process(c.from()).parallelism();
      int receivers = flow.process(c.to()).parallelism();
      for (int j = 0; j < receivers; j++) {
        String receiver = c.to() + "#" + j;
        if (states.get(receiver) != State.BUSY || causes.contains(receiver)) {
          continue;
        }
        for (int i = 0; i < senders; i++) {
          boolean linked = c.routing() != Routing.FORWARD || i == j;
          if (linked && states.get(c.from() + "#" + i) == State.BACKPRESSURED) {
            causes.add(receiver);
            break;
          }
        }
      }
    }
    return new Diagnosis(Map.copyOf(states), List.copyOf(causes));
  }
}
