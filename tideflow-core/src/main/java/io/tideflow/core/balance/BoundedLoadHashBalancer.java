package io.tideflow.core.balance;

import java.util.Arrays;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam; as Google Cloud and
 * Vimeo run it): each endpoint has {@code pointsPerEndpoint} points on a hash ring; a key goes to
 * the owner of the first point at or after the key's position whose in-flight load is under {@code
 * ⌈(1 + ε) · (in flight + 1) ÷ usable endpoints⌉}, walking clockwise past full ones. So no endpoint
 * ever holds more than {@code ⌈(1+ε)·average⌉}, and while loads allow the same key keeps going to
 * the same endpoint; adding one endpoint to n moves about 1/(n+1) of the keys.
 *
 * <p>Under concurrent picks two threads may both see room on the same endpoint, so the bound can be
 * exceeded by the number of racing threads; it is exact for a single picking thread.
 */
public final class BoundedLoadHashBalancer extends AbstractBalancer {
  private final double epsilon;
  private final int pointsPerEndpoint;

  /**
   * @param epsilon how far above the average an endpoint may be loaded, > 0 (Vimeo runs 0.25)
   * @param pointsPerEndpoint ring points per endpoint, > 0; more points, more even shares
   */
  public BoundedLoadHashBalancer(OutlierEjection ejection, double epsilon, int pointsPerEndpoint) {
    super(ejection, 1, 0);
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be > 0 and finite, was " + epsilon);
    }
    if (pointsPerEndpoint <= 0) {
      throw new IllegalArgumentException("pointsPerEndpoint must be > 0, was " + pointsPerEndpoint);
    }
    this.epsilon = epsilon;
    this.pointsPerEndpoint = pointsPerEndpoint;
  }

  @Override
  Picker newPicker(EndpointStats[] usable) {
    int n = usable.length;
    long[] points = new long[n * pointsPerEndpoint];
    long[] packed = new long[points.length];
    for (int e = 0; e < n; e++) {
      long base = fnv64(usable[e].endpoint.id());
      for (int p = 0; p < pointsPerEndpoint; p++) {
        packed[e * pointsPerEndpoint + p] = mix64(base + p * 0x9E3779B97F4A7C15L);
      }
    }
    // Sort points with their owners: sort indices by point value.
    Integer[] order = new Integer[points.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Long.compare(packed[x], packed[y]));
    int[] owners = new int[points.length];
    for (int i = 0; i < order.length; i++) {
      points[i] = packed[order[i]];
      owners[i] = order[i] / pointsPerEndpoint;
    }
    return (key, now) -> pick(usable, points, owners, key, now);
  }

  private PickResult pick(EndpointStats[] usable, long[] points, int[] owners, long key, long now) {
    int available = 0;
    for (EndpointStats s : usable) {
      if (s.available(now)) {
        available++;
      }
    }
    if (available == 0) {
      return allEjected(usable.length);
    }
    long capacity = (long) Math.ceil((1 + epsilon) * (totalInFlight.get() + 1) / available);
    int start = Arrays.binarySearch(points, mix64(key));
    if (start < 0) {
      start = -start - 1;
    }
    for (int i = 0; i < points.length; i++) {
      int at = start + i;
      EndpointStats s = usable[owners[at < points.length ? at : at - points.length]];
      if (s.inFlight() < capacity && s.available(now)) {
        return choose(s);
      }
    }
    return new PickResult.NoEndpoint("every endpoint is at its bounded load of " + capacity);
  }

  /** A well-mixed 64-bit hash (the SplitMix64 finalizer). */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static long fnv64(String s) {
    long h = 0xCBF29CE484222325L;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001B3L;
    }
    return h;
  }
}
