package io.tideflow.bench.cache;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Keys drawn from a Zipf distribution: rank {@code r} (1-based) of {@code n} has probability
 * proportional to {@code 1 / r^s}. Seeded, so every policy replays the same trace.
 */
final class ZipfTrace {
  private final double[] cumulative;
  private final SplittableRandom random;

  ZipfTrace(int n, double s, long seed) {
    cumulative = new double[n];
    double sum = 0;
    for (int rank = 1; rank <= n; rank++) {
      sum += 1 / Math.pow(rank, s);
      cumulative[rank - 1] = sum;
    }
    for (int i = 0; i < n; i++) {
      cumulative[i] /= sum;
    }
    random = new SplittableRandom(seed);
  }

  /** The next key's rank, 0-based (0 is the most frequent). */
  int next() {
    int i = Arrays.binarySearch(cumulative, random.nextDouble());
    return i >= 0 ? i : Math.min(-i - 1, cumulative.length - 1);
  }
}
