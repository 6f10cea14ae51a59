package io.tideflow.runtime.provider;

import io.tideflow.core.model.Resources;
import java.time.Duration;
import java.util.Map;

/**
 * What kind of node to start.
 *
 * @param name template name, part of the node ids it makes
 * @param capacity what each node offers the scheduler
 * @param labels labels each node carries
 * @param leaseTtl the nodes' lease time to live
 */
public record NodeTemplate(
    String name, Resources capacity, Map<String, String> labels, Duration leaseTtl) {
  /** The label naming a node's autoscaled pool; a new leader adopts only nodes that carry it. */
  public static final String POOL_LABEL = "tideflow.io/pool";

  public NodeTemplate {
    if (name == null || !name.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException(
          "template name must be lower-case letters, digits and '-', was '" + name + "'");
    }
    labels = Map.copyOf(labels);
    if (leaseTtl.toMillis() < 1000) {
      throw new IllegalArgumentException("leaseTtl must be >= 1s, was " + leaseTtl);
    }
  }
}
