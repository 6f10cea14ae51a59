package io.tideflow.runtime.pool;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.runtime.provider.InProcessNodeProvider;
import io.tideflow.runtime.provider.LocalProcessNodeProvider;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.store.ClusterStore;

/** The providers a pool can be given by name (e.g. from the command line). */
public enum ProviderKind implements ProviderFactory {
  /** Worker JVMs on this machine, reaching the store by its URI. */
  LOCAL_PROCESS {
    @Override
    public NodeProvider create(ClusterStore store, String storeUri, MeterRegistry metrics) {
      if (storeUri == null) {
        throw new IllegalArgumentException(
            "provider LOCAL_PROCESS needs a store other processes can reach, was in-memory");
      }
      return new LocalProcessNodeProvider(storeUri);
    }
  },
  /** Workers inside this JVM, with the handlers found on its class path. */
  IN_PROCESS {
    @Override
    public NodeProvider create(ClusterStore store, String storeUri, MeterRegistry metrics) {
      return new InProcessNodeProvider(store, TaskHandlers.discover(), metrics);
    }
  }
}
