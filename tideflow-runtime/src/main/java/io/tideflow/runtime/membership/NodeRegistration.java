package io.tideflow.runtime.membership;

import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.retry.Backoff;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Lease;
import io.tideflow.store.LeaseNotFoundException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A node's entry in the registry: written under the node's lease, refreshed with a load report
 * about once a second, gone when the lease ends.
 *
 * <p>The entry is claimed, never overwritten: it is created only if no other node holds the id (a
 * crashed predecessor's entry is waited out for a lease TTL), so two live nodes can never share
 * one.
 *
 * <p>A store that cannot be reached changes nothing here: the lease is only unconfirmed ({@link
 * #unconfirmedFor()}). When the store says the lease is gone — it expired there while this node was
 * paused, cut off, or while etcd itself was stopped — the node rejoins: a new lease, the entry
 * claimed again with its current state, retried with back-off until the store takes it. Only if
 * another node has claimed the id meanwhile does {@link #lost()} complete, and the node must stop.
 */
public final class NodeRegistration implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(NodeRegistration.class.getName());

  /** Between attempts to rejoin: 100 ms after the first failure, doubling to 5 s. */
  static final Backoff REJOIN_BACKOFF =
      Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5));

  private final ClusterStore store;
  private final Duration ttl;
  private final Supplier<LoadReport> loadSource;
  private final ScheduledExecutorService reporter;
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private final Duration storeTimeout;
  private final AtomicLong rejoins = new AtomicLong();
  private volatile NodeInfo node;
  private volatile Lease lease;

  /** True from the store saying the lease is gone until the entry is claimed again. */
  private volatile boolean rejoining;

  /**
   * Orders the writes of the node's record: {@code node} changes and writes are issued under it.
   * Held only to issue a write, never while one is waited for.
   */
  private final Object writes = new Object();

  /** The last write of the node's record issued; guarded by {@code writes}. */
  private CompletableFuture<?> lastWrite = CompletableFuture.completedFuture(null);

  private volatile boolean closed;

  private NodeRegistration(
      ClusterStore store,
      Lease lease,
      Duration ttl,
      NodeInfo node,
      Supplier<LoadReport> load,
      Duration timeout) {
    this.store = store;
    this.lease = lease;
    this.ttl = ttl;
    this.node = node;
    this.loadSource = load;
    this.storeTimeout = timeout;
    this.reporter =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tideflow-load-report-" + node.id()).factory());
  }

  /**
   * Grants a lease of {@code ttl}, claims the entry of {@code node} under it and starts reporting
   * load every {@code reportInterval}.
   *
   * @throws NodeIdTakenException when another live node holds the id
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be reached
   */
  public static NodeRegistration register(
      ClusterStore store,
      NodeInfo node,
      Duration ttl,
      Duration reportInterval,
      Supplier<LoadReport> load,
      Duration storeTimeout) {
    Lease lease = StoreCalls.await(store.grantLease(ttl), storeTimeout, "grant node lease");
    NodeRegistration reg = new NodeRegistration(store, lease, ttl, node, load, storeTimeout);
    try {
      reg.claim(lease, node);
    } catch (RuntimeException e) {
      lease.revoke();
      reg.reporter.shutdownNow();
      throw e;
    }
    reg.follow(lease);
    long every = reportInterval.toMillis();
    reg.reporter.scheduleWithFixedDelay(reg::report, every, every, TimeUnit.MILLISECONDS);
    return reg;
  }

  /**
   * Creates the entry of {@code node} under {@code lease} if no one holds it; an entry under
   * another lease is waited out for a TTL and the store's timeout (a crashed node's entry ends with
   * its lease), then the id counts as taken.
   */
  private void claim(Lease lease, NodeInfo node) {
    String key = ClusterKeys.node(node.id());
    byte[] record = NodeRecords.encode(node);
    for (int attempt = 0; attempt < 2; attempt++) {
      if (StoreCalls.await(
          store.compareAndSet(key, 0, record, lease.id()), storeTimeout, "claim " + key)) {
        return;
      }
      Optional<KeyValue> holder = StoreCalls.await(store.get(key), storeTimeout, "read " + key);
      if (holder.isEmpty()) {
        continue; // it ended between the two calls
      }
      if (holder.get().leaseId() == lease.id()) {
        return; // our own, from an attempt whose answer was lost
      }
      if (attempt == 0 && !awaitDeleted(holder.get(), ttl.plus(storeTimeout))) {
        break;
      }
    }
    throw new NodeIdTakenException(node.id(), describeHolder(key));
  }

  /** Waits up to {@code bound} for {@code kv} to be deleted; true when it was. */
  private boolean awaitDeleted(KeyValue kv, Duration bound) {
    CompletableFuture<Void> deleted = new CompletableFuture<>();
    ClusterStore.Watch watch =
        store.watch(
            kv.key(),
            kv.modRevision() + 1,
            new ClusterStore.WatchListener() {
              @Override
              public void onEvents(List<ClusterStore.WatchEvent> events) {
                if (events.stream()
                    .anyMatch(
                        e ->
                            e.kv().key().equals(kv.key())
                                && e.type() == ClusterStore.WatchEvent.Type.DELETE)) {
                  deleted.complete(null);
                }
              }

              @Override
              public void onError(Throwable error) {
                deleted.completeExceptionally(error);
              }
            });
    try {
      deleted.get(bound.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      // The watch could not tell: read once more instead.
      return StoreCalls.await(store.get(kv.key()), storeTimeout, "read " + kv.key()).isEmpty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + kv.key(), e);
    } finally {
      watch.close();
    }
  }

  private String describeHolder(String key) {
    try {
      return StoreCalls.await(store.get(key), storeTimeout, "read " + key)
          .map(kv -> NodeRecords.decode(key, kv.value()).address())
          .orElse("an address that is gone again");
    } catch (RuntimeException e) {
      return "an address the store did not say (" + e.getMessage() + ")";
    }
  }

  private void follow(Lease held) {
    held.lost().whenComplete((v, e) -> onLeaseGone(held));
  }

  private void report() {
    if (closed || lost.isDone() || rejoining) {
      return;
    }
    LoadReport load = loadSource.get();
    NodeInfo next;
    CompletableFuture<Long> put;
    Lease held;
    synchronized (writes) {
      if (!lastWrite.isDone()) {
        // The previous write is still on its way: a report queued behind it would be stale by
        // the time it lands, and the next one comes within a report interval.
        return;
      }
      // The state is read here, under the lock moveTo takes, so a report never writes back a
      // state that moveTo has replaced (a DRAINING node showing READY).
      next = node.withLoad(load);
      node = next;
      held = lease;
      put = store.put(ClusterKeys.node(next.id()), NodeRecords.encode(next), held.id());
      lastWrite = put;
    }
    put.whenComplete(
        (rev, error) -> {
          if (error == null || closed) {
            return;
          }
          if (error instanceof CompletionException
              && error.getCause() instanceof LeaseNotFoundException) {
            // The store says the lease is gone; its lost() follows and the node rejoins.
            LOG.log(Level.DEBUG, "load report of " + next.id() + ": lease gone, rejoining");
          } else {
            // Expected while the store is away: the next report retries.
            LOG.log(Level.WARNING, "load report of " + next.id() + " failed: " + error);
          }
        });
  }

  /**
   * Moves the node to {@code state} in the registry (e.g. DRAINING) and waits for the write. The
   * state sticks: load reports written afterwards carry it, and the write is issued only after any
   * report already on its way has landed, so none of those overwrites it either.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store does not take the write in
   *     time; {@link #node()} says {@code state} all the same, and so does the next load report
   */
  public void moveTo(NodeState state) {
    CompletableFuture<Long> put;
    synchronized (writes) {
      NodeInfo next = node.withState(state);
      node = next;
      Lease held = lease;
      put =
          lastWrite
              .handle((rev, error) -> null) // an earlier write's failure is that write's own
              .thenCompose(
                  v -> store.put(ClusterKeys.node(next.id()), NodeRecords.encode(next), held.id()));
      lastWrite = put;
    }
    StoreCalls.await(put, storeTimeout, "move node " + node.id() + " to " + state);
  }

  private void onLeaseGone(Lease gone) {
    if (closed || gone != lease) {
      return;
    }
    LOG.log(
        Level.WARNING,
        "node " + node.id() + ": the store says its lease is gone; rejoining with a new one");
    rejoining = true;
    rejoin(0);
  }

  private void rejoin(int failures) {
    if (closed) {
      return;
    }
    try {
      reporter.schedule(
          () -> attemptRejoin(failures),
          failures == 0 ? 0 : REJOIN_BACKOFF.delay(failures).toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Closed meanwhile: nothing to rejoin.
    }
  }

  private void attemptRejoin(int failures) {
    if (closed) {
      return;
    }
    Lease fresh;
    try {
      fresh = StoreCalls.await(store.grantLease(ttl), storeTimeout, "grant node lease");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "node " + node.id() + " could not rejoin yet: " + e.getMessage());
      rejoin(failures + 1);
      return;
    }
    try {
      synchronized (writes) {
        lease = fresh;
      }
      claim(fresh, node);
    } catch (NodeIdTakenException e) {
      LOG.log(Level.ERROR, e.getMessage() + ": this node stops");
      fresh.revoke();
      reporter.shutdownNow();
      lost.complete(null);
      return;
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "node " + node.id() + " could not rejoin yet: " + e.getMessage());
      fresh.revoke();
      rejoin(failures + 1);
      return;
    }
    rejoining = false;
    rejoins.incrementAndGet();
    follow(fresh);
    LOG.log(Level.INFO, "node " + node.id() + " rejoined as " + node.state());
  }

  public NodeInfo node() {
    return node;
  }

  /** The lease the entry is held under now (a new one after each rejoin). */
  public Lease lease() {
    return lease;
  }

  /**
   * For how long this node has not been able to count on its lease: zero while the store confirms
   * it (see {@link Lease#unconfirmedFor()}).
   */
  public Duration unconfirmedFor() {
    return lease.unconfirmedFor();
  }

  /** Times the node rejoined after the store said its lease was gone. */
  public long rejoins() {
    return rejoins.get();
  }

  /** True between the store saying the lease is gone and the entry being claimed again. */
  public boolean rejoining() {
    return rejoining;
  }

  /**
   * Completes when the node can no longer be registered: its lease ended and another node claimed
   * its id meanwhile. Not when it was released by {@link #close()}.
   */
  public CompletableFuture<Void> lost() {
    return lost;
  }

  /**
   * Stops reporting and leaves the lease to expire, as a crashed node's would. For tests and the
   * demo, which kill nodes in-process.
   */
  public void abandon() {
    closed = true;
    reporter.shutdownNow();
  }

  /** Leaves the registry: revokes the lease, which deletes the node's key. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    reporter.shutdownNow();
    try {
      StoreCalls.await(lease.revoke(), storeTimeout, "revoke lease of " + node.id());
    } catch (RuntimeException e) {
      // The lease then ends by expiry within its TTL; nothing else depends on the revoke.
      LOG.log(Level.WARNING, "could not revoke lease of " + node.id() + ": " + e.getMessage());
    }
  }
}
