package io.tideflow.runtime.pool;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.runtime.provider.NodeLinks;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.store.ClusterStore;

/**
 * Builds one of a pool's providers when the pool starts (its coordinator won the election); the
 * pool closes it, with its nodes, when it stops. Called on the pool's lifecycle thread; it may
 * block briefly (a provider's constructor), never on the network for long.
 */
@FunctionalInterface
public interface ProviderFactory {

  /**
   * @param store the store the pool's nodes register in
   * @param storeUri how a node in another process reaches that store; null when it cannot (an
   *     in-memory store), and then only in-process providers can be built
   * @param metrics where the provider and its nodes count what they do
   */
  NodeProvider create(ClusterStore store, String storeUri, MeterRegistry metrics);

  /**
   * As {@link #create(ClusterStore, String, MeterRegistry)}, its nodes listening and secured as
   * {@code links} says. A provider that cannot do that for its nodes refuses any links but
   * plaintext on loopback.
   *
   * @throws IllegalArgumentException when it cannot start nodes as {@code links} asks
   */
  default NodeProvider create(
      ClusterStore store, String storeUri, MeterRegistry metrics, NodeLinks links) {
    if (!links.equals(NodeLinks.LOOPBACK)) {
      throw new IllegalArgumentException(
          "provider "
              + this
              + " starts its nodes only in plaintext on loopback, was asked "
              + links);
    }
    return create(store, storeUri, metrics);
  }
}
