package io.tideflow.cache;

import java.util.Map;

/**
 * What warming did.
 *
 * @param fromRemote keys copied from Redis into the near tier
 * @param loaded keys computed by the loader (and written to both tiers)
 * @param failures keys whose load failed, with why; warming carries on past them
 */
public record WarmResult(int fromRemote, int loaded, Map<String, CacheLoadException> failures) {
  public WarmResult {
    failures = Map.copyOf(failures);
  }
}
