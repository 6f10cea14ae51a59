package io.tideflow.runtime.worker;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import io.tideflow.store.Lease;
import io.tideflow.store.StoreUnavailableException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A store whose puts fail while {@link #failPuts} is set; everything else is the delegate's. */
final class FailingPutsStore implements ClusterStore {
  private final ClusterStore delegate;
  volatile boolean failPuts;

  FailingPutsStore(ClusterStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableFuture<Lease> grantLease(Duration ttl) {
    return delegate.grantLease(ttl);
  }

  @Override
  public CompletableFuture<Long> put(String key, byte[] value, long leaseId) {
    if (failPuts) {
      return CompletableFuture.failedFuture(
          new StoreUnavailableException("put " + key + ": store partitioned by the test"));
    }
    return delegate.put(key, value, leaseId);
  }

  @Override
  public CompletableFuture<Optional<KeyValue>> get(String key) {
    return delegate.get(key);
  }

  @Override
  public CompletableFuture<Snapshot> list(String prefix) {
    return delegate.list(prefix);
  }

  @Override
  public CompletableFuture<Boolean> compareAndSet(
      String key, long expectedModRevision, byte[] value, long leaseId) {
    return delegate.compareAndSet(key, expectedModRevision, value, leaseId);
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    return delegate.delete(key);
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    return delegate.watch(prefix, fromRevision, listener);
  }

  @Override
  public CompletableFuture<Leadership> campaign(String election, String candidate, Lease lease) {
    return delegate.campaign(election, candidate, lease);
  }

  @Override
  public CompletableFuture<Optional<LeaderInfo>> leader(String election) {
    return delegate.leader(election);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
