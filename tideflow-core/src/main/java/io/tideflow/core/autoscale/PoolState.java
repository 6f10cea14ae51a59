package io.tideflow.core.autoscale;

import io.tideflow.core.forecast.LoadHistory;
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
 * @param load the pool's demand over the last days, in nodes' worth of work, for forecasts ({@link
 *     #NO_LOAD} when it keeps none)
 */
public record PoolState(
    String name,
    int current,
    List<PoolNode> nodes,
    List<ScaleEvent> history,
    List<Recommendation> recommendations,
    int starting,
    List<Resources> waiting,
    LoadHistory load) {

  public PoolState {
    if (load == null) {
      throw new IllegalArgumentException("load must not be null (PoolState.NO_LOAD for none)");
    }
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

  /** A pool with no load history. */
  public PoolState(
      String name,
      int current,
      List<PoolNode> nodes,
      List<ScaleEvent> history,
      List<Recommendation> recommendations,
      int starting,
      List<Resources> waiting) {
    this(name, current, nodes, history, recommendations, starting, waiting, NO_LOAD);
  }

  /** The load history of a pool that keeps none: a single bucket, never filled. */
  public static final LoadHistory NO_LOAD = LoadHistory.empty(java.time.Duration.ofMinutes(5), 1);

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
        name, size, nodes, history, recommendations, Math.min(starting, size), waiting, load);
  }

  public PoolState withNodes(List<PoolNode> value) {
    return new PoolState(name, current, value, history, recommendations, starting, waiting, load);
  }

  public PoolState withHistory(List<ScaleEvent> value) {
    return new PoolState(name, current, nodes, value, recommendations, starting, waiting, load);
  }

  public PoolState withRecommendations(List<Recommendation> value) {
    return new PoolState(name, current, nodes, history, value, starting, waiting, load);
  }

  public PoolState withStarting(int value) {
    return new PoolState(name, current, nodes, history, recommendations, value, waiting, load);
  }

  public PoolState withWaiting(List<Resources> value) {
    return new PoolState(name, current, nodes, history, recommendations, starting, value, load);
  }

  /** With {@code value} as the pool's load history, for {@link PredictivePolicy}. */
  public PoolState withLoad(LoadHistory value) {
    return new PoolState(name, current, nodes, history, recommendations, starting, waiting, value);
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
