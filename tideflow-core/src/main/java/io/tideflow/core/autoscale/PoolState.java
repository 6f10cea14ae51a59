package io.tideflow.core.autoscale;

import io.tideflow.core.model.Resources;
import java.time.Instant;
import java.util.List;

/**
 * A node pool as the autoscaler sees it at one instant.
 *
 * @param name the pool
 * @param current nodes that are up or starting (what a decision is relative to)
 * @param nodes the pool's nodes, for choosing which to remove and explaining why not
 * @param history past scale events of this pool, oldest first (for cooldowns and rate limits)
 * @param recommendations past raw recommendations, oldest first (for stabilization windows)
 * @param starting nodes counted in {@code current} that do not take work yet (launching, or up but
 *     not registered READY): capacity on its way, which pending demand must not ask for again
 * @param waiting the demands of the work now waiting because no node has room for it, that a new
 *     node of this pool would be allowed to run (empty when the pool does not follow demand)
 */
public record PoolState(
    String name,
    int current,
    List<PoolNode> nodes,
    List<ScaleEvent> history,
    List<Recommendation> recommendations,
    int starting,
    List<Resources> waiting) {

  public PoolState {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
    }
    if (current < 0) {
      throw new IllegalArgumentException("current must be >= 0, was " + current);
    }
    if (starting < 0 || starting > current) {
      throw new IllegalArgumentException("starting must be in 0.." + current + ", was " + starting);
    }
    nodes = List.copyOf(nodes);
    history = List.copyOf(history);
    recommendations = List.copyOf(recommendations);
    waiting = List.copyOf(waiting);
  }

  /** A pool no work waits for. */
  public PoolState(
      String name,
      int current,
      List<PoolNode> nodes,
      List<ScaleEvent> history,
      List<Recommendation> recommendations,
      int starting) {
    this(name, current, nodes, history, recommendations, starting, List.of());
  }

  /** A pool of {@code current} nodes with no nodes listed and no history. */
  public static PoolState of(String name, int current) {
    return new PoolState(name, current, List.of(), List.of(), List.of(), 0);
  }

  public PoolState withCurrent(int size) {
    return new PoolState(
        name, size, nodes, history, recommendations, Math.min(starting, size), waiting);
  }

  public PoolState withNodes(List<PoolNode> value) {
    return new PoolState(name, current, value, history, recommendations, starting, waiting);
  }

  public PoolState withHistory(List<ScaleEvent> value) {
    return new PoolState(name, current, nodes, value, recommendations, starting, waiting);
  }

  public PoolState withRecommendations(List<Recommendation> value) {
    return new PoolState(name, current, nodes, history, value, starting, waiting);
  }

  public PoolState withStarting(int value) {
    return new PoolState(name, current, nodes, history, recommendations, value, waiting);
  }

  public PoolState withWaiting(List<Resources> value) {
    return new PoolState(name, current, nodes, history, recommendations, starting, value);
  }

  /** The newest scale event in the given direction, or null. */
  public ScaleEvent lastEvent(boolean up) {
    for (int i = history.size() - 1; i >= 0; i--) {
      ScaleEvent e = history.get(i);
      if (e.up() == up) {
        return e;
      }
    }
    return null;
  }

  /**
   * One node of the pool.
   *
   * @param id node id
   * @param inFlight tasks it runs now
   * @param pinned true when it holds work that cannot move (it is never chosen for removal)
   */
  public record PoolNode(String id, int inFlight, boolean pinned) {
    public PoolNode {
      if (inFlight < 0) {
        throw new IllegalArgumentException("inFlight must be >= 0, was " + inFlight);
      }
    }
  }

  /** The pool went from {@code from} to {@code to} nodes at {@code at}. */
  public record ScaleEvent(Instant at, int from, int to) {
    public boolean up() {
      return to > from;
    }
  }

  /** A policy recommended {@code desired} at {@code at} (before stabilization). */
  public record Recommendation(Instant at, int desired) {}

  /** Convenience for policies that need the time of the newest sample. */
  static Instant newest(MetricsWindow window, Instant fallback) {
    return window.samples().isEmpty() ? fallback : window.samples().getLast().at();
  }
}
