package io.tideflow.runtime.provider;

import java.util.concurrent.CompletableFuture;

/**
 * A node started up to the point where it would join the cluster — process up, classes loaded, gRPC
 * server listening — but not registered: no client or coordinator can see it, so it gets no work.
 * {@link #activate()} registers it; from then on its provider lists it in {@link
 * NodeProvider#nodes()} and terminates it like any node it launched.
 */
public interface StandbyNode {

  /** The id it will register under. */
  String nodeId();

  /**
   * Registers the node (a lease and one write in the store) and completes when it is READY in the
   * registry, on a thread of the provider's. Fails, and stops the node, if it cannot register.
   * Calling it again returns the same outcome.
   */
  CompletableFuture<Void> activate();

  /** Stops the node without it ever having joined. Does nothing after {@link #activate()}. */
  void discard();
}
