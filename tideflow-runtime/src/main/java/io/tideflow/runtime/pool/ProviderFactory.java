package io.tideflow.runtime.pool;

import io.micrometer.core.instrument.MeterRegistry;
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
}
