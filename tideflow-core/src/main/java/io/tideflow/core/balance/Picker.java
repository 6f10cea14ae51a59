package io.tideflow.core.balance;

/**
 * The fast path of a {@link Balancer}: an immutable snapshot of the usable endpoints that chooses
 * one per request. Any number of threads call {@link #pick} at once; it never locks or blocks,
 * reading only the snapshot and per-endpoint atomic counters. A picker is replaced (not changed)
 * when the endpoint set changes; callers fetch the current one with {@link Balancer#picker()}.
 */
public interface Picker {

  /**
   * Chooses an endpoint and counts the request in flight on it.
   *
   * @param key the request's hash for hashing balancers (the same key goes to the same endpoint
   *     while loads allow); for the others, 64 random bits the caller draws from its own {@link
   *     java.util.random.RandomGenerator} (power-of-two-choices takes its two candidates from them)
   * @param nowNanos the caller's monotonic time, to see which ejected endpoints are due back and to
   *     decay latency estimates; no clock is read here
   */
  PickResult pick(long key, long nowNanos);
}
