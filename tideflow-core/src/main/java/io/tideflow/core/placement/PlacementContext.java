package io.tideflow.core.placement;

import io.tideflow.core.model.Allocations;
import io.tideflow.core.model.LatencyTable;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The caller's side of one placement decision, everything besides the request and the view: what is
 * already allocated, live load and exclusions, latency data, where a sampled scan starts, and the
 * source of randomness for a random top-k choice.
 *
 * <p>The random generator is used by the calling thread only, for the duration of the call; give
 * each thread its own (a {@link SplittableRandom#split()} of a seeded one keeps runs repeatable).
 *
 * @param allocations what is placed on each node already; placement never exceeds capacity minus it
 * @param load the caller's in-flight counts and excluded nodes
 * @param latencies the latency table {@code latencyBounds} are checked against
 * @param startIndex where a sampled scan starts; pass {@link PlacementResult#nextStartIndex()} of
 *     the previous decision to rotate over the cluster as kube-scheduler does
 * @param random drawn from only when the policy chooses among its top k > 1
 */
public record PlacementContext(
    Allocations allocations,
    LiveLoad load,
    LatencyTable latencies,
    int startIndex,
    RandomGenerator random) {

  public PlacementContext {
    if (allocations == null || load == null || latencies == null || random == null) {
      throw new IllegalArgumentException(
          "allocations, load, latencies and random must not be null, were "
              + allocations
              + ", "
              + load
              + ", "
              + latencies
              + ", "
              + random);
    }
    if (startIndex < 0) {
      throw new IllegalArgumentException("startIndex must be >= 0, was " + startIndex);
    }
  }

  /** Only allocations: no live load, no latency data, scan from 0, a generator seeded with 0. */
  public static PlacementContext of(Allocations allocations) {
    return new PlacementContext(
        allocations, LiveLoad.NONE, LatencyTable.NONE, 0, new SplittableRandom(0));
  }

  public PlacementContext withAllocations(Allocations next) {
    return new PlacementContext(next, load, latencies, startIndex, random);
  }

  public PlacementContext withStartIndex(int next) {
    return new PlacementContext(allocations, load, latencies, next, random);
  }

  public PlacementContext withLoad(LiveLoad next) {
    return new PlacementContext(allocations, next, latencies, startIndex, random);
  }

  public PlacementContext withLatencies(LatencyTable next) {
    return new PlacementContext(allocations, load, next, startIndex, random);
  }

  public PlacementContext withRandom(RandomGenerator next) {
    return new PlacementContext(allocations, load, latencies, startIndex, next);
  }
}
