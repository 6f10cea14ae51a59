package io.tideflow.runtime.provider;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import io.tideflow.store.Lease;
import io.tideflow.store.LeaseNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The store a standby worker registers in: its first lease, and every write under that lease, are
 * held here instead of reaching the cluster, until {@link #activate()} grants a real lease and
 * writes the latest value of each held key under it. From then on writes under the held lease go to
 * the real one, in the order they were made. Everything else passes through.
 *
 * <p>So a worker can be built, bound and "registered" ahead of need without any client seeing it —
 * its own code ({@code WorkerNode}, {@code NodeRegistration}) is unchanged — and joins the cluster
 * with one lease grant and one write. Closing this store does not close the cluster's.
 */
final class DeferredRegistrationStore implements ClusterStore {
  /** The id of the held lease; never sent to the real store. */
  static final long HELD_LEASE_ID = 0x7466_7374_616e_6462L;

  private final ClusterStore cluster;
  private final Map<String, byte[]> held = new LinkedHashMap<>();

  /** Held keys written create-if-absent: activation claims them the same way, or fails. */
  private final java.util.Set<String> claims = new java.util.HashSet<>();

  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private Duration ttl;
  private boolean leaseHeld;
  private boolean revoked;

  /** Null until activation; then the real lease, complete once the held writes are replayed. */
  private CompletableFuture<Lease> real;

  /** The last write forwarded under the real lease: the next one waits for it, keeping order. */
  private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

  DeferredRegistrationStore(ClusterStore cluster) {
    this.cluster = cluster;
  }

  /** The real lease granted ahead of activation by {@link #prepare()}; null when none. */
  private CompletableFuture<Lease> early;

  /**
   * Makes activation one warm write: grants the real lease now (kept alive from here on, though no
   * key is under it yet) and runs one write and delete through the cluster store, so the store
   * client's code and connections are warm when the node is handed out. Optional; call once the
   * worker holds its lease. Completes when done; failures only cost activation the grant it would
   * have made anyway.
   */
  CompletableFuture<Void> prepare() {
    CompletableFuture<Lease> lease;
    synchronized (this) {
      if (!leaseHeld || revoked || real != null || early != null) {
        return CompletableFuture.completedFuture(null);
      }
      lease = cluster.grantLease(ttl);
      early = lease;
    }
    String scratch = WARM_UP_PREFIX + UUID.randomUUID();
    return lease
        .thenCompose(l -> cluster.put(scratch, new byte[0], l.id()))
        .thenCompose(revision -> cluster.delete(scratch))
        .handle((v, e) -> null);
  }

  /** Where {@link #prepare()} writes and deletes its scratch key. */
  static final String WARM_UP_PREFIX = "/tideflow-warmup/";

  /** The early lease when it is usable now, or a new grant. */
  private CompletableFuture<Lease> lease() {
    CompletableFuture<Lease> e = early;
    if (e != null && e.isDone() && !e.isCompletedExceptionally()) {
      Lease l = e.join();
      if (!l.lost().isDone()) {
        return e;
      }
    } else if (e != null && !e.isDone()) {
      return e.handle(
              (l, error) ->
                  error == null && !l.lost().isDone()
                      ? CompletableFuture.completedFuture(l)
                      : cluster.grantLease(ttl))
          .thenCompose(f -> f);
    }
    return cluster.grantLease(ttl);
  }

  /** Whether {@link #activate()} was called. */
  synchronized boolean activated() {
    return real != null;
  }

  /**
   * Grants the real lease and writes the held keys under it. Completes when they are in the cluster
   * store; the same future for every call. Fails if no lease was held yet.
   */
  CompletableFuture<Void> activate() {
    Map<String, byte[]> replay;
    java.util.Set<String> claimed;
    CompletableFuture<Lease> granted;
    synchronized (this) {
      if (real != null) {
        return real.thenApply(lease -> null);
      }
      if (!leaseHeld || revoked) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(
                "nothing to activate: the standby worker holds no lease (revoked="
                    + revoked
                    + ")"));
      }
      replay = new LinkedHashMap<>(held);
      claimed = java.util.Set.copyOf(claims);
      held.clear();
      claims.clear();
      granted = new CompletableFuture<>();
      real = granted;
    }
    lease()
        .thenCompose(lease -> writeAll(replay, claimed, lease).thenApply(done -> lease))
        .whenComplete(
            (lease, error) -> {
              if (error != null) {
                granted.completeExceptionally(error);
                lost.complete(null); // it never joined: the worker must stop, as on a lost lease
              } else {
                lease.lost().whenComplete((v, e) -> lost.complete(null));
                granted.complete(lease);
              }
            });
    return granted.thenApply(lease -> null);
  }

  private CompletableFuture<Void> writeAll(
      Map<String, byte[]> values, java.util.Set<String> claimed, Lease lease) {
    List<CompletableFuture<?>> writes = new ArrayList<>();
    values.forEach(
        (key, value) ->
            writes.add(
                claimed.contains(key)
                    ? cluster
                        .compareAndSet(key, 0, value, lease.id())
                        .thenAccept(
                            created -> {
                              if (!created) {
                                throw new IllegalStateException(
                                    key + " is held by another live node: cannot join under it");
                              }
                            })
                    : cluster.put(key, value, lease.id())));
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, error) -> {
              if (error != null) {
                lease.revoke(); // best effort: the lease expires within its TTL anyway
              }
            });
  }

  @Override
  public synchronized CompletableFuture<Lease> grantLease(Duration ttl) {
    if (leaseHeld) {
      return cluster.grantLease(ttl);
    }
    leaseHeld = true;
    this.ttl = ttl;
    return CompletableFuture.completedFuture(new HeldLease(ttl));
  }

  @Override
  public CompletableFuture<Long> put(String key, byte[] value, long leaseId) {
    if (leaseId != HELD_LEASE_ID) {
      return cluster.put(key, value, leaseId);
    }
    synchronized (this) {
      if (revoked) {
        return CompletableFuture.failedFuture(new LeaseNotFoundException(HELD_LEASE_ID));
      }
      if (real == null) {
        held.put(key, value.clone());
        return CompletableFuture.completedFuture(0L);
      }
      CompletableFuture<Lease> lease = real;
      CompletableFuture<Long> write =
          tail.handle((v, e) -> null)
              .thenCompose(v -> lease)
              .thenCompose(l -> cluster.put(key, value, l.id()));
      tail = write;
      return write;
    }
  }

  private synchronized CompletableFuture<Void> revokeHeld() {
    if (revoked) {
      return CompletableFuture.completedFuture(null);
    }
    revoked = true;
    held.clear();
    if (real == null) {
      CompletableFuture<Lease> e = early;
      return e == null
          ? CompletableFuture.completedFuture(null)
          : e.thenCompose(Lease::revoke).handle((v, error) -> null);
    }
    return real.thenCompose(Lease::revoke);
  }

  @Override
  public CompletableFuture<Optional<KeyValue>> get(String key) {
    return cluster.get(key);
  }

  @Override
  public CompletableFuture<Snapshot> list(String prefix) {
    return cluster.list(prefix);
  }

  /**
   * Under the held lease only "create if absent" is supported: held like a put, and claimed that
   * way on activation (which fails if the key is taken by then).
   */
  @Override
  public CompletableFuture<Boolean> compareAndSet(
      String key, long expectedModRevision, byte[] value, long leaseId) {
    if (leaseId != HELD_LEASE_ID) {
      return cluster.compareAndSet(key, expectedModRevision, value, leaseId);
    }
    if (expectedModRevision != 0) {
      throw new IllegalArgumentException(
          "only create-if-absent (expectedModRevision 0) under a held lease, was "
              + expectedModRevision);
    }
    synchronized (this) {
      if (revoked) {
        return CompletableFuture.failedFuture(new LeaseNotFoundException(HELD_LEASE_ID));
      }
      if (real == null) {
        if (held.containsKey(key)) {
          return CompletableFuture.completedFuture(false);
        }
        held.put(key, value.clone());
        claims.add(key);
        return CompletableFuture.completedFuture(true);
      }
      CompletableFuture<Lease> lease = real;
      CompletableFuture<Boolean> write =
          tail.handle((v, e) -> null)
              .thenCompose(v -> lease)
              .thenCompose(l -> cluster.compareAndSet(key, 0, value, l.id()));
      tail = write;
      return write;
    }
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    return cluster.delete(key);
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    return cluster.watch(prefix, fromRevision, listener);
  }

  @Override
  public CompletableFuture<Leadership> campaign(String election, String candidate, Lease lease) {
    return cluster.campaign(election, candidate, lease);
  }

  @Override
  public CompletableFuture<Optional<LeaderInfo>> leader(String election) {
    return cluster.leader(election);
  }

  /** Does not close the cluster's store, which others share. */
  @Override
  public void close() {
    // Nothing of its own to release: the held lease ends with its worker.
  }

  /** The lease the standby worker believes it holds. */
  private final class HeldLease implements Lease {
    private final Duration ttl;

    HeldLease(Duration ttl) {
      this.ttl = ttl;
    }

    @Override
    public long id() {
      return HELD_LEASE_ID;
    }

    @Override
    public Duration ttl() {
      return ttl;
    }

    @Override
    public CompletableFuture<Void> lost() {
      return lost.copy();
    }

    /** The real lease's once the worker is taken; until then nothing to confirm with a store. */
    @Override
    public Duration unconfirmedFor() {
      CompletableFuture<Lease> r;
      synchronized (DeferredRegistrationStore.this) {
        r = real;
      }
      return r != null && r.isDone() && !r.isCompletedExceptionally()
          ? r.join().unconfirmedFor()
          : Duration.ZERO;
    }

    @Override
    public CompletableFuture<Void> revoke() {
      return revokeHeld();
    }
  }
}
