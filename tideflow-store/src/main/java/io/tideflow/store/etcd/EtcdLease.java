package io.tideflow.store.etcd;

import io.tideflow.store.Lease;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An etcd lease, renewed by the store's lease clock with one keep-alive about every third of its
 * TTL.
 *
 * <p>The lease is lost only when etcd says so: a keep-alive answered with TTL 0 (etcd no longer has
 * it) or refused as "lease not found". Keep-alives that get no answer are not a loss: etcd may be
 * paused, electing a leader or cut off from us, and it refreshes every lease when a new leader
 * takes over, so the lease may well be alive. They only make the lease unconfirmed: the holder can
 * no longer count on it past the send time of the newest answered keep-alive plus the TTL, minus a
 * margin for the two clocks' drift ({@link #unconfirmedFor()}). Nothing here revokes on a guess.
 *
 * <p>Threads: {@link #tick} runs on the store's lease clock; answers arrive on jetcd's threads and
 * are handed to the store's completion executor before anything else happens. Times are read from
 * the store's clock, so a test's clock decides when silence makes a lease unconfirmed.
 */
final class EtcdLease implements Lease {
  private static final System.Logger LOG = System.getLogger(EtcdLease.class.getName());

  /** Keep-alives per TTL, as etcd's own clients send them. */
  static final int RENEWALS_PER_TTL = 3;

  /** The share of the TTL not counted on, for clock drift between us and etcd. */
  static final int DRIFT_MARGIN_DIVISOR = 10;

  private final long id;
  private final Duration ttl;
  private final Duration renewEvery;
  private final Duration margin;
  private final EtcdClusterStore store;
  private final io.etcd.jetcd.Lease leases;
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final AtomicBoolean finished = new AtomicBoolean();

  /** One keep-alive (or probe) at a time: set while one awaits its answer. */
  private final AtomicBoolean asking = new AtomicBoolean();

  /** Until when the lease cannot have expired in etcd, on the store's clock. */
  private volatile Instant validUntil;

  /** When the newest keep-alive was sent, on the store's clock. */
  private volatile Instant lastSent;

  private volatile boolean suspended;

  /**
   * @param grantSentAt when the grant was sent: etcd started the TTL after that
   */
  EtcdLease(
      long id,
      Duration ttl,
      Instant grantSentAt,
      io.etcd.jetcd.Lease leases,
      EtcdClusterStore store) {
    this.id = id;
    this.ttl = ttl;
    this.renewEvery = ttl.dividedBy(RENEWALS_PER_TTL);
    this.margin = ttl.dividedBy(DRIFT_MARGIN_DIVISOR);
    this.leases = leases;
    this.store = store;
    this.validUntil = grantSentAt.plus(ttl).minus(margin);
    this.lastSent = grantSentAt;
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

  @Override
  public Duration unconfirmedFor() {
    Instant now = store.clock().instant();
    Instant until = validUntil;
    return now.isAfter(until) ? Duration.between(until, now) : Duration.ZERO;
  }

  /** Until when the lease cannot have expired in etcd, on the store's clock. */
  Instant validUntil() {
    return validUntil;
  }

  /** Whether a keep-alive or probe awaits its answer. */
  boolean asking() {
    return asking.get();
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

  /**
   * Stops renewing, as if this node hung: etcd expires the lease one TTL later. Once the lease is
   * unconfirmed the lease clock asks etcd (without renewing) whether it still has it, so the holder
   * learns of the loss from etcd, as a node that wakes up would.
   */
  void suspendKeepAlive() {
    suspended = true;
  }

  /** Renews again after {@link #suspendKeepAlive()}. */
  void resumeKeepAlive() {
    suspended = false;
  }

  /** The lease clock's round, with the store clock's time. */
  void tick(Instant now) {
    if (finished.get()) {
      return;
    }
    if (suspended) {
      if (now.isAfter(validUntil) && asking.compareAndSet(false, true)) {
        probe();
      }
    } else if (!now.isBefore(lastSent.plus(renewEvery)) && asking.compareAndSet(false, true)) {
      renew(now);
    }
  }

  private void renew(Instant sentAt) {
    lastSent = sentAt;
    answered(leases.keepAliveOnce(id))
        .whenComplete(
            (response, error) -> {
              asking.set(false);
              if (error == null) {
                // etcd answers a keep-alive of a lease it no longer has with TTL 0.
                if (response.getTTL() > 0) {
                  confirm(sentAt);
                } else {
                  gone("etcd says it is gone");
                }
              } else {
                unanswered(error);
              }
            });
  }

  private void probe() {
    answered(leases.timeToLive(id, io.etcd.jetcd.options.LeaseOption.DEFAULT))
        .whenComplete(
            (response, error) -> {
              asking.set(false);
              if (error == null) {
                // -1 is etcd's "no such lease"; 0 is a lease in its last second, still there.
                if (response.getTTL() < 0) {
                  gone("etcd says it is gone");
                }
              } else {
                unanswered(error);
              }
            });
  }

  /**
   * {@code call}'s outcome on the store's executor, failed after a renewal interval without an
   * answer, so the next keep-alive can go out (a late answer to this one is then not counted).
   */
  private <T> CompletableFuture<T> answered(CompletableFuture<T> call) {
    return call.orTimeout(Math.max(1, renewEvery.toMillis()), TimeUnit.MILLISECONDS)
        .whenCompleteAsync((v, e) -> {}, store.completions());
  }

  private void unanswered(Throwable error) {
    if (EtcdErrors.isLeaseNotFound(error)) {
      gone("etcd says it is gone");
    } else {
      // Expected while etcd is unreachable, paused or electing: the lease may live on.
      store.countUnansweredKeepAlive();
      LOG.log(Level.DEBUG, "keep-alive of lease {0} unanswered: {1}", hex(), error.toString());
    }
  }

  private void confirm(Instant sentAt) {
    Instant until = sentAt.plus(ttl).minus(margin);
    if (until.isAfter(validUntil)) {
      validUntil = until;
    }
  }

  /** The store is closing: the lease is lost to its holder, though etcd ends it only at its TTL. */
  void closeLost() {
    if (finish()) {
      signalLost();
    }
  }

  private void gone(String reason) {
    if (finish()) {
      LOG.log(Level.INFO, "lease {0} lost: {1}", hex(), reason);
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
    store.forget(this);
    return true;
  }

  private String hex() {
    return Long.toHexString(id);
  }

  @Override
  public String toString() {
    return "EtcdLease[" + hex() + ", ttl=" + ttl + "]";
  }
}
