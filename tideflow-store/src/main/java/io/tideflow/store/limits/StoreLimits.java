package io.tideflow.store.limits;

import io.tideflow.store.ClusterStore;
import java.util.Objects;

/**
 * The argument checks every {@link ClusterStore} applies at its boundary, so both stores reject the
 * same input with the same message. A rejected call throws; it never returns a future.
 */
public final class StoreLimits {
  private StoreLimits() {}

  /** Returns {@code key} when it is non-blank. */
  public static String requireKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isBlank()) {
      throw new IllegalArgumentException("key must not be blank, was '" + key + "'");
    }
    return key;
  }

  /** Returns {@code value} when it is at most {@link ClusterStore#MAX_VALUE_BYTES} long. */
  public static byte[] requireValue(String key, byte[] value) {
    Objects.requireNonNull(value, "value");
    if (value.length > ClusterStore.MAX_VALUE_BYTES) {
      throw new IllegalArgumentException(
          "value of key '"
              + key
              + "' is "
              + value.length
              + " bytes, more than the limit of "
              + ClusterStore.MAX_VALUE_BYTES
              + " bytes (ClusterStore.MAX_VALUE_BYTES)");
    }
    return value;
  }

  /** Returns {@code name} when it is a non-blank election name without '/'. */
  public static String requireElection(String name) {
    Objects.requireNonNull(name, "election");
    if (name.isBlank() || name.contains("/")) {
      throw new IllegalArgumentException(
          "election must be non-blank and must not contain '/', was '" + name + "'");
    }
    return name;
  }
}
