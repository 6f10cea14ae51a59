package io.tideflow.cache;

/**
 * Write generations of keys, so that a value fetched before a write never lands after it.
 *
 * <p>Every change of a key in the near tier (put, delete, an invalidation from another node) runs
 * through {@link #write}, which bumps the key's generation. A load or a fill from Redis takes a
 * {@link #stamp} before it fetches and stores through {@link #storeIfUnchanged}, which drops the
 * value if the generation moved meanwhile: the rule of Caffeine's refresh, which discards a reload
 * whose entry changed while it ran.
 *
 * <p>Generations are kept per stripe, not per key, so memory stays fixed however many keys there
 * are. Two keys sharing a stripe can only make a load skip the near tier (its caller still gets the
 * value), never make a stale value stick. Each stripe's lock guards its generation and the
 * near-tier change made with it, nothing else, and is never held across I/O.
 */
final class KeyGenerations {
  // 1,024 stripes: a needless discard takes a write to another key of the same stripe while a load
  // runs, so about one concurrent write in a thousand; 8 KiB of counters per namespace.
  private static final int STRIPES = 1024;

  private final long[] generations = new long[STRIPES];
  private final Object[] locks = new Object[STRIPES];

  KeyGenerations() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /** The generation of {@code key} now; take it before fetching a value. */
  long stamp(String key) {
    int stripe = stripe(key);
    synchronized (locks[stripe]) {
      return generations[stripe];
    }
  }

  /** Applies {@code change} (a near-tier change of {@code key}) and moves the key's generation. */
  void write(String key, Runnable change) {
    int stripe = stripe(key);
    synchronized (locks[stripe]) {
      change.run();
      generations[stripe]++;
    }
  }

  /** Applies {@code change} (e.g. clearing the near tier) as a write of every key. */
  void writeAll(Runnable change) {
    // Moved first: a store checking a stripe after this sees the move, one before it is cleared.
    for (int i = 0; i < STRIPES; i++) {
      synchronized (locks[i]) {
        generations[i]++;
      }
    }
    change.run();
  }

  /**
   * Applies {@code store} if nothing wrote {@code key} since {@code stamp} was taken.
   *
   * @return whether {@code store} ran
   */
  boolean storeIfUnchanged(String key, long stamp, Runnable store) {
    int stripe = stripe(key);
    synchronized (locks[stripe]) {
      if (generations[stripe] != stamp) {
        return false;
      }
      store.run();
      return true;
    }
  }

  private static int stripe(String key) {
    int h = key.hashCode();
    // Spread the high bits down, as HashMap does, so keys differing only there do not collide.
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
