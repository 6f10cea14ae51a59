package io.tideflow.runtime.worker;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.ForwardingClusterStore;
import io.tideflow.store.StoreUnavailableException;
import java.util.concurrent.CompletableFuture;

/** A store whose puts fail while {@link #failPuts} is set; everything else is the delegate's. */
final class FailingPutsStore extends ForwardingClusterStore {
  volatile boolean failPuts;

  FailingPutsStore(ClusterStore delegate) {
    super(delegate);
  }

  @Override
  public CompletableFuture<Long> put(String key, byte[] value, long leaseId) {
    if (failPuts) {
      return CompletableFuture.failedFuture(
          new StoreUnavailableException("put " + key + ": store partitioned by the test"));
    }
    return delegate.put(key, value, leaseId);
  }
}
