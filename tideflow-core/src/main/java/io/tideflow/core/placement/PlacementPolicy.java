package io.tideflow.core.placement;

import java.util.ArrayList;
import java.util.List;

/**
 * How {@link PolicyPlacement} decides: filters that must all admit a node, scorers weighed into one
 * score, how much of the cluster to look at, and how many of the best to choose among at random.
 * Immutable; build one with {@link #builder()} or take a preset.
 *
 * @param filters applied in order; the first to reject a node names the rejection
 * @param scorers weighed into the node's score
 * @param sampling when to stop filtering on large clusters
 * @param topK 1 takes the best node (the first scanned on a tie); k > 1 picks uniformly among the
 *     best k with the context's random generator
 */
public record PlacementPolicy(
    List<NodeFilter> filters, List<Weighted> scorers, Sampling sampling, int topK) {

  /**
   * A scorer and its weight.
   *
   * @param scorer the scorer
   * @param weight its weight, > 0
   */
  public record Weighted(NodeScorer scorer, double weight) {
    public Weighted {
      if (scorer == null) {
        throw new IllegalArgumentException("scorer must not be null");
      }
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException("weight must be > 0 and finite, was " + weight);
      }
    }
  }

  public PlacementPolicy {
    if (filters == null || scorers == null || sampling == null) {
      throw new IllegalArgumentException("filters, scorers and sampling must not be null");
    }
    filters = List.copyOf(filters);
    scorers = List.copyOf(scorers);
    if (topK <= 0) {
      throw new IllegalArgumentException("topK must be > 0, was " + topK);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Standard filters, least-allocated: spread work over the nodes. */
  public static PlacementPolicy spread() {
    return builder().score(Scorers.LEAST_ALLOCATED, 1).build();
  }

  /** Standard filters, most-allocated: fill nodes before opening new ones. */
  public static PlacementPolicy binPack() {
    return builder().score(Scorers.MOST_ALLOCATED, 1).build();
  }

  /** Standard filters, least-allocated with balanced-allocation, kube's default pair. */
  public static PlacementPolicy balanced() {
    return builder()
        .score(Scorers.LEAST_ALLOCATED, 1)
        .score(Scorers.BALANCED_ALLOCATION, 1)
        .build();
  }

  /** Ray's hybrid policy: pack to 50% then spread, random among the best {@code k}. */
  public static PlacementPolicy hybrid(int k) {
    return builder().score(Scorers.hybrid(0.5), 1).topK(k).build();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.filters.clear();
    b.filters.addAll(filters);
    b.scorers.addAll(scorers);
    b.sampling = sampling;
    b.topK = topK;
    return b;
  }

  /**
   * Builds a {@link PlacementPolicy}; starts with {@link Filters#STANDARD}, no scorer, exhaustive.
   */
  public static final class Builder {
    private final List<NodeFilter> filters = new ArrayList<>(Filters.STANDARD);
    private final List<Weighted> scorers = new ArrayList<>();
    private Sampling sampling = Sampling.EXHAUSTIVE;
    private int topK = 1;

    private Builder() {}

    /** Adds a filter after the ones already there. */
    public Builder filter(NodeFilter filter) {
      filters.add(filter);
      return this;
    }

    /** Replaces all filters. */
    public Builder filters(List<NodeFilter> all) {
      filters.clear();
      filters.addAll(all);
      return this;
    }

    public Builder score(NodeScorer scorer, double weight) {
      scorers.add(new Weighted(scorer, weight));
      return this;
    }

    public Builder sampling(Sampling sampling) {
      this.sampling = sampling;
      return this;
    }

    public Builder topK(int topK) {
      this.topK = topK;
      return this;
    }

    public PlacementPolicy build() {
      return new PlacementPolicy(filters, scorers, sampling, topK);
    }
  }
}
