package io.tideflow.cache;

/**
 * The application's loader failed (threw, returned null, or did not finish in time) for a key.
 * Redis outages never surface as this: only failures of the loader itself do.
 */
public final class CacheLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public CacheLoadException(String namespace, String key, String reason, Throwable cause) {
    super("loading '" + key + "' in cache '" + namespace + "' failed: " + reason, cause);
    this.key = key;
  }

  /** The key whose load failed. */
  public String key() {
    return key;
  }
}
