package io.tideflow.core.flow;

/**
 * Where a key goes on a {@link Routing#KEYED} connection: a key hashes into one of a fixed number
 * of key groups, and the groups are split into contiguous ranges, one per receiving instance
 * (Flink's scheme). A key's group never changes, so when the receiver's parallelism changes whole
 * groups move and no key is split between two instances. Pure.
 */
public final class KeyGroups {
  private KeyGroups() {}

  /** A 64-bit key for a string key: stable across JVMs and runs (built on String#hashCode). */
  public static long key(String key) {
    return key.hashCode();
  }

  /**
   * The key group of {@code key}, in {@code [0, keyGroups)}. The key is mixed first (the finaliser
   * of MurmurHash3), so that keys which are small consecutive numbers spread over all groups.
   */
  public static int group(long key, int keyGroups) {
    long h = key;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) Long.remainderUnsigned(h, keyGroups);
  }

  /** The instance of {@code parallelism} that owns key group {@code group}. */
  public static int instance(int group, int keyGroups, int parallelism) {
    return (int) ((long) group * parallelism / keyGroups);
  }

  /** The instance of {@code parallelism} that receives {@code key}. */
  public static int instanceOfKey(long key, int keyGroups, int parallelism) {
    return instance(group(key, keyGroups), keyGroups, parallelism);
  }
}
