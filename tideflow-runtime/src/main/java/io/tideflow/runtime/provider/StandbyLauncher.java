package io.tideflow.runtime.provider;

import java.util.concurrent.CompletableFuture;

/**
 * A provider that can start nodes ahead of need without them joining the cluster: what a {@link
 * WarmPool} keeps in reserve. The provider owns a standby node from {@link #prepare} on; {@link
 * NodeProvider#close()} also stops those never activated.
 */
public interface StandbyLauncher {

  /**
   * Starts a node of {@code template} in standby; completes when it is ready to {@link
   * StandbyNode#activate()}, on a thread of the provider's. Returns at once.
   */
  CompletableFuture<StandbyNode> prepare(NodeTemplate template);
}
