package io.tideflow.store.etcd;

import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.tideflow.store.Lease;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An etcd lease kept alive by jetcd's keep-alive stream. jetcd calls this observer on a vert.x
 * event loop thread; it only records the time and hands completions to the store's executor.
 *
 * <p>The lease counts as lost when etcd says it is gone, when jetcd's own deadline passes, or when
 * the store's lease clock sees no successful keep-alive for a whole TTL (which also covers a
 * keep-alive stopped by {@link #suspendKeepAlive()}). jetcd's {@code onError} alone is not an end:
 * it restarts the stream by itself and reports every failed attempt. Renewals and that TTL are
 * measured on the store's clock, so a test's clock decides when silence becomes a loss.
 */
final class EtcdLease implements Lease, StreamObserver<LeaseKeepAliveResponse> {
  private static final System.Logger LOG = System.getLogger(EtcdLease.class.getName());

  private final long id;
  private final Duration ttl;
  private final EtcdClusterStore store;
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final AtomicBoolean finished = new AtomicBoolean();

  /** When etcd last confirmed the lease, on the store's clock. */
  private volatile Instant renewedAt;

  private volatile CloseableClient keepAlive;

  EtcdLease(long id, Duration ttl, EtcdClusterStore store) {
    this.id = id;
    this.ttl = ttl;
    this.store = store;
    this.renewedAt = store.clock().instant();
  }

  void startKeepAlive(io.etcd.jetcd.Lease leases) {
    renewedAt = store.clock().instant();
    keepAlive = leases.keepAlive(id, this);
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public Duration ttl() {
    return ttl;
  }

  @Override
  public CompletableFuture<Void> lost() {
    return lost.copy();
  }

  /** Completes when the lease ends for any reason, revoke included. */
  CompletableFuture<Void> ended() {
    return ended;
  }

  @Override
  public CompletableFuture<Void> revoke() {
    if (finish()) {
      ended.complete(null);
    }
    return store.revokeLease(id);
  }

  /** Stops sending keep-alives, as if this node hung: etcd expires the lease one TTL later. */
  void suspendKeepAlive() {
    stopKeepAlive();
  }

  /** When etcd last confirmed the lease (at grant or by a keep-alive), on the store's clock. */
  Instant renewedAt() {
    return renewedAt;
  }

  /**
   * Called by the store's lease clock with its time: lost once more than a TTL has passed since the
   * last renewal (exactly a TTL is not yet lost).
   */
  void checkDeadline(Instant now) {
    if (now.isAfter(renewedAt.plus(ttl))) {
      expire("no keep-alive succeeded for " + EtcdErrors.format(ttl));
    }
  }

  /** The store is closing: the lease is lost to its holder, though etcd ends it only at its TTL. */
  void closeLost() {
    if (finish()) {
      signalLost();
    }
  }

  @Override
  public void onNext(LeaseKeepAliveResponse response) {
    if (response.getTTL() > 0) {
      renewedAt = store.clock().instant();
    }
  }

  @Override
  public void onError(Throwable error) {
    if (EtcdErrors.isLeaseNotFound(error)) {
      expire("etcd says it is gone");
    } else {
      // Expected while etcd is unreachable: jetcd retries the stream; the deadline decides.
      LOG.log(Level.DEBUG, "keep-alive of lease {0} failed: {1}", hex(), error.getMessage());
    }
  }

  @Override
  public void onCompleted() {
    expire("jetcd's keep-alive deadline passed");
  }

  private void expire(String reason) {
    if (finish()) {
      LOG.log(Level.INFO, "lease {0} lost: {1}", hex(), reason);
      store.revokeQuietly(id); // etcd may still hold it; make the loss true for everyone
      signalLost();
    }
  }

  private void signalLost() {
    store
        .completions()
        .execute(
            () -> {
              ended.complete(null);
              lost.complete(null);
            });
  }

  private boolean finish() {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    stopKeepAlive();
    store.forget(this);
    return true;
  }

  private void stopKeepAlive() {
    CloseableClient client = keepAlive;
    if (client != null) {
      client.close();
    }
  }

  private String hex() {
    return Long.toHexString(id);
  }

  @Override
  public String toString() {
    return "EtcdLease[" + hex() + ", ttl=" + ttl + "]";
  }
}
