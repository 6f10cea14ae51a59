package io.tideflow.core.forecast;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * A pool's load over the last days, as the mean of each fixed-width bucket of time (five minutes,
 * say), oldest first: what a forecast reads. Immutable: {@link #record} returns a new history with
 * the sample added, the oldest buckets dropped past {@link #capacity()}. A bucket no sample fell in
 * is missing ({@link Double#NaN}), not zero.
 *
 * <p>Buckets are aligned on the epoch, so two histories of the same bucket width agree on where
 * each bucket starts, and a forecast a season ahead lands on a bucket boundary.
 */
public final class LoadHistory {
  /** Most buckets kept: five-minute buckets over 35 days. */
  public static final int MAX_CAPACITY = 10_080;

  private final long bucketMillis;
  private final int capacity;

  /** The epoch index ({@code at / bucket}) of the newest bucket; meaningless when empty. */
  private final long newest;

  /** Sums and counts of the buckets, oldest first; at most {@code capacity} long. */
  private final double[] sums;

  private final int[] counts;

  private LoadHistory(long bucketMillis, int capacity, long newest, double[] sums, int[] counts) {
    this.bucketMillis = bucketMillis;
    this.capacity = capacity;
    this.newest = newest;
    this.sums = sums;
    this.counts = counts;
  }

  /** An empty history of {@code capacity} buckets {@code bucket} wide. */
  public static LoadHistory empty(Duration bucket, int capacity) {
    if (bucket == null || bucket.toMillis() < 1) {
      throw new IllegalArgumentException("bucket must be at least 1 ms, was " + bucket);
    }
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "capacity must be in 1.." + MAX_CAPACITY + " buckets, was " + capacity);
    }
    return new LoadHistory(bucket.toMillis(), capacity, 0, new double[0], new int[0]);
  }

  /** Five-minute buckets over {@code days} days. */
  public static LoadHistory days(int days) {
    return empty(Duration.ofMinutes(5), days * 288);
  }

  public Duration bucket() {
    return Duration.ofMillis(bucketMillis);
  }

  public int capacity() {
    return capacity;
  }

  /** Buckets held, from the oldest to the newest (missing ones included). */
  public int size() {
    return sums.length;
  }

  public boolean isEmpty() {
    return sums.length == 0;
  }

  /** The epoch index of the bucket {@code at} falls in. */
  public long bucketOf(Instant at) {
    return Math.floorDiv(at.toEpochMilli(), bucketMillis);
  }

  /** When bucket {@code index} starts. */
  public Instant startOf(long index) {
    return Instant.ofEpochMilli(index * bucketMillis);
  }

  /** The epoch index of the newest bucket. */
  public long newestBucket() {
    if (isEmpty()) {
      throw new IllegalStateException("the history is empty");
    }
    return newest;
  }

  /** The epoch index of the oldest bucket held. */
  public long oldestBucket() {
    return newestBucket() - sums.length + 1;
  }

  /** The mean of bucket {@code index}; NaN when it is not held or no sample fell in it. */
  public double mean(long index) {
    if (isEmpty()) {
      return Double.NaN;
    }
    long i = index - (newest - sums.length + 1);
    if (i < 0 || i >= sums.length || counts[(int) i] == 0) {
      return Double.NaN;
    }
    return sums[(int) i] / counts[(int) i];
  }

  /** Each bucket's mean, oldest first; NaN for a bucket no sample fell in. A copy. */
  public double[] means() {
    double[] m = new double[sums.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = counts[i] == 0 ? Double.NaN : sums[i] / counts[i];
    }
    return m;
  }

  /**
   * A history of {@code means} (oldest first, NaN for a missing bucket) ending at bucket {@code
   * newestBucket}, as {@link #means()} gave them: each mean counts as one sample. The oldest are
   * dropped past {@code capacity}.
   *
   * @throws IllegalArgumentException when the shape is out of range or a mean is negative or
   *     infinite
   */
  public static LoadHistory restore(
      Duration bucket, int capacity, long newestBucket, double[] means) {
    LoadHistory shape = empty(bucket, capacity);
    int keep = Math.min(capacity, means.length);
    double[] s = new double[keep];
    int[] c = new int[keep];
    for (int i = 0; i < keep; i++) {
      double v = means[means.length - keep + i];
      if (Double.isNaN(v)) {
        continue;
      }
      if (v < 0 || Double.isInfinite(v)) {
        throw new IllegalArgumentException("a load must be a finite number >= 0, was " + v);
      }
      s[i] = v;
      c[i] = 1;
    }
    return keep == 0 ? shape : new LoadHistory(shape.bucketMillis, capacity, newestBucket, s, c);
  }

  /**
   * This history with {@code value} measured at {@code at} added. A sample older than the newest
   * bucket is refused, as is one that is not a finite number ≥ 0.
   */
  public LoadHistory record(Instant at, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("a load must be a finite number >= 0, was " + value);
    }
    long index = bucketOf(at);
    if (isEmpty()) {
      return new LoadHistory(bucketMillis, capacity, index, new double[] {value}, new int[] {1});
    }
    if (index < newest) {
      throw new IllegalArgumentException(
          "sample at " + at + " is older than the newest bucket, from " + startOf(newest));
    }
    if (index == newest) {
      double[] s = sums.clone();
      int[] c = counts.clone();
      s[s.length - 1] += value;
      c[c.length - 1]++;
      return new LoadHistory(bucketMillis, capacity, newest, s, c);
    }
    long gap = index - newest; // buckets to add, the last one holding the sample
    int length = (int) Math.min(capacity, sums.length + gap);
    double[] s = new double[length];
    int[] c = new int[length];
    int keep = (int) Math.max(0, length - gap); // old buckets that stay
    System.arraycopy(sums, sums.length - keep, s, 0, keep);
    System.arraycopy(counts, counts.length - keep, c, 0, keep);
    s[length - 1] = value;
    c[length - 1] = 1;
    return new LoadHistory(bucketMillis, capacity, index, s, c);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoadHistory h
        && h.bucketMillis == bucketMillis
        && h.capacity == capacity
        && (isEmpty() ? h.isEmpty() : h.newest == newest)
        && Arrays.equals(h.sums, sums)
        && Arrays.equals(h.counts, counts);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(bucketMillis) * 31 + Arrays.hashCode(sums);
  }

  @Override
  public String toString() {
    return "LoadHistory[" + sums.length + " of " + capacity + " buckets of " + bucket() + "]";
  }
}
