package io.tideflow.core.partition;

import java.util.Arrays;

/**
 * What a cut must be: into how many parts, each part's share of the total vertex weight (a node's
 * capacity against the others'), how far a part may go past its share, and the seed that makes the
 * result repeatable. Immutable.
 */
public final class PartitionRequest {
  /** METIS's default: a part may weigh 3 % more than its share. */
  public static final double DEFAULT_IMBALANCE = 0.03;

  private final int parts;
  private final double imbalance;
  private final double[] targets;
  private final long seed;
  private final int[] current;
  private final int maxMoves;

  private PartitionRequest(
      int parts, double imbalance, double[] targets, long seed, int[] current, int maxMoves) {
    this.parts = parts;
    this.imbalance = imbalance;
    this.targets = targets;
    this.seed = seed;
    this.current = current;
    this.maxMoves = maxMoves;
  }

  /** {@code parts} equal parts, 3 % imbalance, seed 1. */
  public static PartitionRequest of(int parts) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be >= 1, was " + parts);
    }
    double[] equal = new double[parts];
    Arrays.fill(equal, 1.0 / parts);
    return new PartitionRequest(parts, DEFAULT_IMBALANCE, equal, 1, null, -1);
  }

  /** A part may weigh {@code (1 + value)} times its share. */
  public PartitionRequest withImbalance(double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException("imbalance must be in [0, 1], was " + value);
    }
    return new PartitionRequest(parts, value, targets, seed, current, maxMoves);
  }

  /**
   * Each part's share in proportion to {@code weights} (e.g. nodes' cpu), one per part.
   *
   * @throws IllegalArgumentException when there is not one positive weight per part
   */
  public PartitionRequest withTargets(double... weights) {
    if (weights.length != parts) {
      throw new IllegalArgumentException(
          "targets must have one weight per part (" + parts + "), had " + weights.length);
    }
    double sum = 0;
    for (int p = 0; p < parts; p++) {
      if (!(weights[p] > 0) || Double.isInfinite(weights[p])) {
        throw new IllegalArgumentException(
            "target of part " + p + " must be > 0 and finite, was " + weights[p]);
      }
      sum += weights[p];
    }
    double[] shares = new double[parts];
    for (int p = 0; p < parts; p++) {
      shares[p] = weights[p] / sum;
    }
    return new PartitionRequest(parts, imbalance, shares, seed, current, maxMoves);
  }

  public PartitionRequest withSeed(long value) {
    return new PartitionRequest(parts, imbalance, targets, value, current, maxMoves);
  }

  /**
   * Incremental: start from {@code assignment}, where each vertex is now (-1 for one whose part is
   * gone, or that is new), and move as few vertices as the bounds need, then at most as many again
   * to mend the cut. For a node that joined or left, or shares that changed.
   *
   * @throws IllegalArgumentException for a part beyond this request's parts
   */
  public PartitionRequest withCurrent(int[] assignment) {
    return withCurrent(assignment, -1);
  }

  /**
   * As {@link #withCurrent(int[])}, moving at most {@code maxMoves} vertices in all (as many as the
   * bounds force, when that is more), or, for -1, twice the fewest the bounds force.
   */
  public PartitionRequest withCurrent(int[] assignment, int maxMoves) {
    for (int v = 0; v < assignment.length; v++) {
      if (assignment[v] < -1 || assignment[v] >= parts) {
        throw new IllegalArgumentException(
            "current part of vertex "
                + v
                + " must be -1 or in [0, "
                + parts
                + "), was "
                + assignment[v]);
      }
    }
    if (maxMoves < -1) {
      throw new IllegalArgumentException("maxMoves must be >= -1, was " + maxMoves);
    }
    return new PartitionRequest(parts, imbalance, targets, seed, assignment.clone(), maxMoves);
  }

  /** The assignment to start from, or null for a partition from scratch. */
  int[] current() {
    return current;
  }

  int maxMoves() {
    return maxMoves;
  }

  public int parts() {
    return parts;
  }

  public double imbalance() {
    return imbalance;
  }

  /** Part {@code p}'s share of the total weight; the shares sum to 1. */
  public double target(int p) {
    return targets[p];
  }

  double[] targets() {
    return targets;
  }

  public long seed() {
    return seed;
  }

  /**
   * The most part {@code p} may weigh out of {@code total}: its share times {@code 1 + imbalance},
   * and never less than its share rounded up, so a part can always take its share.
   */
  public long maxWeight(int p, long total) {
    double share = targets[p] * total;
    return Math.max((long) Math.ceil(share), (long) Math.floor(share * (1 + imbalance)));
  }

  @Override
  public String toString() {
    return "PartitionRequest[parts="
        + parts
        + ", imbalance="
        + imbalance
        + ", targets="
        + Arrays.toString(targets)
        + ", seed="
        + seed
        + (current == null ? "" : ", incremental, maxMoves=" + maxMoves)
        + "]";
  }
}
