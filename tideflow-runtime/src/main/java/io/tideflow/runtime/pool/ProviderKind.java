package io.tideflow.runtime.pool;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.runtime.provider.InProcessNodeProvider;
import io.tideflow.runtime.provider.LocalProcessConfig;
import io.tideflow.runtime.provider.LocalProcessNodeProvider;
import io.tideflow.runtime.provider.NodeLinks;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.clock.MonotonicClock;

/** The providers a pool can be given by name (e.g. from the command line). */
public enum ProviderKind implements ProviderFactory {
  /** Worker JVMs on this machine, reaching the store by its URI. */
  LOCAL_PROCESS {
    @Override
    public NodeProvider create(ClusterStore store, String storeUri, MeterRegistry metrics) {
      return create(store, storeUri, metrics, NodeLinks.LOOPBACK);
    }

    @Override
    public NodeProvider create(
        ClusterStore store, String storeUri, MeterRegistry metrics, NodeLinks links) {
      if (storeUri == null) {
        throw new IllegalArgumentException(
            "provider LOCAL_PROCESS needs a store other processes can reach, was in-memory");
      }
      return new LocalProcessNodeProvider(LocalProcessConfig.defaults(storeUri, links));
    }
  },
  /** Workers inside this JVM, with the handlers found on its class path. */
  IN_PROCESS {
    @Override
    public NodeProvider create(ClusterStore store, String storeUri, MeterRegistry metrics) {
      return create(store, storeUri, metrics, NodeLinks.LOOPBACK);
    }

    @Override
    public NodeProvider create(
        ClusterStore store, String storeUri, MeterRegistry metrics, NodeLinks links) {
      return new InProcessNodeProvider(
          store, TaskHandlers.discover(), metrics, MonotonicClock.system(), links);
    }
  }
}
