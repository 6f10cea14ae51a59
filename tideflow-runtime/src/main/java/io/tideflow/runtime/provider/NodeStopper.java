package io.tideflow.runtime.provider;

import io.tideflow.core.model.NodeInfo;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Stops a node the provider did not start and so cannot signal: one it adopted from a previous
 * leader. A coordinator asks the node itself, with its fencing token, so a deposed one cannot.
 */
@FunctionalInterface
public interface NodeStopper {
  /**
   * Asks {@code node} to stop, letting what runs finish within {@code grace}. Completes when the
   * node answered that it stops, or is gone already; fails with the reason otherwise.
   */
  CompletableFuture<Void> stop(NodeInfo node, Duration grace);
}
