package io.tideflow.runtime.autoscale;

import io.tideflow.runtime.provider.NodeTemplate;
import java.time.Duration;

/**
 * One autoscaled pool.
 *
 * @param name the pool; its nodes carry the label {@value #POOL_LABEL}={@code name}
 * @param template what its nodes are
 * @param interval how often the autoscaler decides
 * @param window how far back the metrics window reaches
 * @param drainTimeout how long a node being removed may finish its tasks; what still runs after it
 *     is placed again by the clients (the node's connections drop)
 * @param logSize decisions kept for {@code status} and the HTTP API
 */
public record PoolConfig(
    String name,
    NodeTemplate template,
    Duration interval,
    Duration window,
    Duration drainTimeout,
    int logSize) {
  public static final String POOL_LABEL = NodeTemplate.POOL_LABEL;

  public PoolConfig {
    if (!template.labels().containsKey(POOL_LABEL)
        || !template.labels().get(POOL_LABEL).equals(name)) {
      throw new IllegalArgumentException(
          "template " + template.name() + " must carry the label " + POOL_LABEL + "=" + name);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be > 0, was " + interval);
    }
    if (logSize <= 0) {
      throw new IllegalArgumentException("logSize must be > 0, was " + logSize);
    }
  }
}
