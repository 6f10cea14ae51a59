package io.tideflow.runtime.membership;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.ForwardingClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import io.tideflow.store.Lease;
import io.tideflow.store.StoreUnavailableException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A store as seen from a node cut off from it: while {@link #cut} is set every request fails as
 * unavailable (watches simply hear nothing), and the leases it granted report themselves
 * unconfirmed for {@link #unconfirmed} — the two things a real cut-off shows a node.
 */
public final class CutOffStore extends ForwardingClusterStore {
  public volatile boolean cut;
  public volatile Duration unconfirmed = Duration.ZERO;

  public CutOffStore(ClusterStore delegate) {
    super(delegate);
  }

  private <T> CompletableFuture<T> unlessCut(Supplier<CompletableFuture<T>> call) {
    return cut
        ? CompletableFuture.failedFuture(new StoreUnavailableException("cut off by the test"))
        : call.get();
  }

  @Override
  public CompletableFuture<Lease> grantLease(Duration ttl) {
    return unlessCut(() -> delegate.grantLease(ttl)).thenApply(SeenLease::new);
  }

  @Override
  public CompletableFuture<Long> put(String key, byte[] value, long leaseId) {
    return unlessCut(() -> delegate.put(key, value, leaseId));
  }

  @Override
  public CompletableFuture<Optional<KeyValue>> get(String key) {
    return unlessCut(() -> delegate.get(key));
  }

  @Override
  public CompletableFuture<Snapshot> list(String prefix) {
    return unlessCut(() -> delegate.list(prefix));
  }

  @Override
  public CompletableFuture<Boolean> compareAndSet(
      String key, long expectedModRevision, byte[] value, long leaseId) {
    return unlessCut(() -> delegate.compareAndSet(key, expectedModRevision, value, leaseId));
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    return unlessCut(() -> delegate.delete(key));
  }

  @Override
  public CompletableFuture<Leadership> campaign(String election, String candidate, Lease lease) {
    Lease real = lease instanceof SeenLease seen ? seen.real : lease;
    return unlessCut(() -> delegate.campaign(election, candidate, real));
  }

  @Override
  public CompletableFuture<Optional<LeaderInfo>> leader(String election) {
    return unlessCut(() -> delegate.leader(election));
  }

  /** A lease as its holder sees it through this store. */
  private final class SeenLease implements Lease {
    private final Lease real;

    SeenLease(Lease real) {
      this.real = real;
    }

    @Override
    public long id() {
      return real.id();
    }

    @Override
    public Duration ttl() {
      return real.ttl();
    }

    @Override
    public CompletableFuture<Void> lost() {
      return real.lost();
    }

    @Override
    public Duration unconfirmedFor() {
      Duration own = real.unconfirmedFor();
      Duration seen = unconfirmed;
      return seen.compareTo(own) > 0 ? seen : own;
    }

    @Override
    public CompletableFuture<Void> revoke() {
      return unlessCut(real::revoke);
    }
  }
}
