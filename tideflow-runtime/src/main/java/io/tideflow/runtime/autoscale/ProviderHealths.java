package io.tideflow.runtime.autoscale;

import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.provider.MultiProvider;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.provider.ProviderHealth;
import io.tideflow.store.Leadership;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The health of the providers behind a pool, as stored under {@link ClusterKeys#providers} so
 * {@code tideflow status} shows it from any machine: one line per provider, in priority order,
 * tab-separated ({@code name, healthy, consecutive failures, detail}).
 */
public final class ProviderHealths {
  /** Longest detail kept per provider. */
  static final int MAX_DETAIL_CHARS = 300;

  private ProviderHealths() {}

  /** Each provider's health: a multi-provider's members, or the one provider's own. */
  public static Map<String, ProviderHealth> of(NodeProvider provider) {
    if (provider instanceof MultiProvider multi) {
      return multi.healths();
    }
    Map<String, ProviderHealth> one = new LinkedHashMap<>();
    one.put(provider.name(), provider.health());
    return one;
  }

  public static byte[] encode(Map<String, ProviderHealth> healths) {
    StringBuilder sb = new StringBuilder();
    healths.forEach(
        (name, h) -> {
          String detail = DecisionLogs.clean(h.detail());
          sb.append(DecisionLogs.clean(name))
              .append('\t')
              .append(h.healthy())
              .append('\t')
              .append(h.consecutiveFailures())
              .append('\t')
              .append(
                  detail.length() > MAX_DETAIL_CHARS
                      ? detail.substring(0, MAX_DETAIL_CHARS)
                      : detail)
              .append('\n');
        });
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads stored healths.
   *
   * @throws IllegalArgumentException naming the line when it is not a provider health
   */
  public static Map<String, ProviderHealth> decode(byte[] bytes) {
    Map<String, ProviderHealth> healths = new LinkedHashMap<>();
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isEmpty()) {
        continue;
      }
      String[] f = lines[i].split("\t", -1);
      if (f.length != 4 || !(f[1].equals("true") || f[1].equals("false"))) {
        throw new IllegalArgumentException(
            "provider health line " + (i + 1) + " is not 'name, healthy, failures, detail'");
      }
      try {
        healths.put(
            f[0], new ProviderHealth(Boolean.parseBoolean(f[1]), Integer.parseInt(f[2]), f[3]));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("provider health line " + (i + 1) + " is malformed", e);
      }
    }
    return healths;
  }

  /**
   * Writes {@code pool}'s provider healths, fenced by {@code leader}: completes with false (nothing
   * written) when it no longer leads. Failures are the caller's to log.
   */
  public static CompletableFuture<Boolean> publish(
      Leadership leader, String pool, Map<String, ProviderHealth> healths) {
    return leader.put(ClusterKeys.providers(pool), encode(healths));
  }

  /**
   * One line per provider for people: "local-process: healthy", "k8s: UNHEALTHY (3 failures: …)".
   */
  public static String describe(Map<String, ProviderHealth> healths) {
    StringBuilder sb = new StringBuilder();
    healths.forEach(
        (name, h) -> {
          sb.append(sb.isEmpty() ? "" : "; ")
              .append(name)
              .append(": ")
              .append(h.healthy() ? "healthy" : "UNHEALTHY");
          if (h.consecutiveFailures() > 0 || !h.healthy()) {
            sb.append(" (")
                .append(h.consecutiveFailures())
                .append(" failure(s) in a row")
                .append(h.detail().isEmpty() ? "" : ": " + h.detail())
                .append(')');
          }
        });
    return sb.toString();
  }
}
