package io.tideflow.core.autoscale;

import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the runtime saw of one pool at {@code now}: the input of {@link PoolReconciler#tick}.
 *
 * @param now when it was seen
 * @param provided the nodes the pool's provider runs or is starting for the pool's template
 * @param registered the nodes with the pool's label in the registry
 * @param extraMetrics application metrics for this instant's sample (may be empty)
 * @param waiting demands of the work waiting for a node that a new node of the pool could run
 * @param demandAsOf when {@code waiting} was last known complete; null when the pool does not
 *     follow demand (then only nodes not READY count as starting)
 * @param request an operator's scale request for the pool, null when there is none
 */
public record PoolObservation(
    Instant now,
    List<Provided> provided,
    List<Registered> registered,
    Map<String, Double> extraMetrics,
    List<Resources> waiting,
    Instant demandAsOf,
    ScaleRequest request) {

  /** An observation with no operator's scale request. */
  public PoolObservation(
      Instant now,
      List<Provided> provided,
      List<Registered> registered,
      Map<String, Double> extraMetrics,
      List<Resources> waiting,
      Instant demandAsOf) {
    this(now, provided, registered, extraMetrics, waiting, demandAsOf, null);
  }

  public PoolObservation {
    if (now == null) {
      throw new IllegalArgumentException("now must not be null");
    }
    provided = List.copyOf(provided);
    registered = List.copyOf(registered);
    extraMetrics = Map.copyOf(extraMetrics);
    waiting = List.copyOf(waiting);
  }

  /** Where a provided node is in its provider's life cycle, as far as the pool cares. */
  public enum Phase {
    /** Asked for and not up yet: counts toward the pool's size, never reaped. */
    LAUNCHING,
    /** Up as far as its provider knows: counts toward the pool's size. */
    RUNNING,
    /** Failed or being terminated by the provider: not counted, reaped when missing. */
    ENDING
  }

  /** A node as its provider knows it. */
  public record Provided(String id, Phase phase) {
    public Provided {
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("id must not be blank, was '" + id + "'");
      }
      if (phase == null) {
        throw new IllegalArgumentException("phase must not be null");
      }
    }
  }

  /**
   * A node as the registry shows it.
   *
   * @param inFlight tasks it runs or has queued
   * @param cpu its reported cpu use in [0, 1], or negative when it reports none
   * @param memory the share of its memory in use in [0, 1], or negative when it reports none
   * @param network its task traffic over its network capacity, or negative when unknown
   * @param readySince when it was first seen READY, or null when unknown (then it counts as up)
   */
  public record Registered(
      String id,
      NodeState state,
      int inFlight,
      double cpu,
      double memory,
      double network,
      Instant readySince) {
    public Registered {
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("id must not be blank, was '" + id + "'");
      }
      if (state == null) {
        throw new IllegalArgumentException("state of " + id + " must not be null");
      }
      if (inFlight < 0) {
        throw new IllegalArgumentException("inFlight must be >= 0, was " + inFlight);
      }
    }
  }
}
