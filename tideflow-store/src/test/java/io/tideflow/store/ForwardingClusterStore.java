package io.tideflow.store;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A store that hands every call to another: a test's fault-injecting store overrides only the calls
 * it breaks.
 */
public abstract class ForwardingClusterStore implements ClusterStore {
  protected final ClusterStore delegate;

  protected ForwardingClusterStore(ClusterStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableFuture<Lease> grantLease(Duration ttl) {
    return delegate.grantLease(ttl);
  }

  @Override
  public CompletableFuture<Long> put(String key, byte[] value, long leaseId) {
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
