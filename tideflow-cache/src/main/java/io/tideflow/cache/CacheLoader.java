package io.tideflow.cache;

/**
 * Computes the value of a key the cache does not hold.
 *
 * <p>Called on the thread of the caller that won the single-flight race for the key (other callers
 * for the same key wait for its result); may block. Must return a non-null value; a thrown
 * exception reaches every waiting caller wrapped in a {@link CacheLoadException}.
 *
 * @param <V> the value type
 */
@FunctionalInterface
public interface CacheLoader<V> {
  V load(String key) throws Exception;
}
