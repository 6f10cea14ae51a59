package io.tideflow.runtime.membership;

import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.Lease;
import io.tideflow.store.LeaseNotFoundException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A node's entry in the registry: written under the node's lease, refreshed with a load report
 * about once a second, gone when the lease ends. When the lease is lost (keep-alives failed past
 * the TTL) {@link #lost()} completes and the node must stop its work: the cluster already counts it
 * gone.
 */
public final class NodeRegistration implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(NodeRegistration.class.getName());

  private final ClusterStore store;
  private final Lease lease;
  private final Supplier<LoadReport> loadSource;
  private final ScheduledExecutorService reporter;
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private final Duration storeTimeout;
  private volatile NodeInfo node;

  /**
   * Orders the writes of the node's record: {@code node} changes and writes are issued under it.
   * Held only to issue a write, never while one is waited for.
   */
  private final Object writes = new Object();

  /** The last write of the node's record issued; guarded by {@code writes}. */
  private CompletableFuture<?> lastWrite = CompletableFuture.completedFuture(null);

  private volatile boolean closed;

  private NodeRegistration(
      ClusterStore store, Lease lease, NodeInfo node, Supplier<LoadReport> load, Duration timeout) {
    this.store = store;
    this.lease = lease;
    this.node = node;
    this.loadSource = load;
    this.storeTimeout = timeout;
    this.reporter =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tideflow-load-report-" + node.id()).factory());
  }

  /**
   * Grants a lease of {@code ttl}, writes {@code node} under it and starts reporting load every
   * {@code reportInterval}.
   */
  public static NodeRegistration register(
      ClusterStore store,
      NodeInfo node,
      Duration ttl,
      Duration reportInterval,
      Supplier<LoadReport> load,
      Duration storeTimeout) {
    Lease lease = StoreCalls.await(store.grantLease(ttl), storeTimeout, "grant node lease");
    NodeRegistration reg = new NodeRegistration(store, lease, node, load, storeTimeout);
    reg.write();
    lease.lost().whenComplete((v, e) -> reg.onLeaseLost());
    long every = reportInterval.toMillis();
    reg.reporter.scheduleWithFixedDelay(reg::report, every, every, TimeUnit.MILLISECONDS);
    return reg;
  }

  private void write() {
    StoreCalls.await(
        store.put(ClusterKeys.node(node.id()), NodeRecords.encode(node), lease.id()),
        storeTimeout,
        "register node " + node.id());
  }

  private void report() {
    if (closed || lost.isDone()) {
      return;
    }
    LoadReport load = loadSource.get();
    NodeInfo next;
    CompletableFuture<Long> put;
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
      put = store.put(ClusterKeys.node(next.id()), NodeRecords.encode(next), lease.id());
      lastWrite = put;
    }
    put.whenComplete(
        (rev, error) -> {
          if (error == null || closed) {
            return;
          }
          if (error instanceof CompletionException
              && error.getCause() instanceof LeaseNotFoundException) {
            // The lease is gone: lost() says so; reporting more would only repeat it.
            reporter.shutdownNow();
          } else {
            // The next report retries; a lease that truly ended shows up through lost().
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
      put =
          lastWrite
              .handle((rev, error) -> null) // an earlier write's failure is that write's own
              .thenCompose(
                  v ->
                      store.put(ClusterKeys.node(next.id()), NodeRecords.encode(next), lease.id()));
      lastWrite = put;
    }
    StoreCalls.await(put, storeTimeout, "move node " + node.id() + " to " + state);
  }

  private void onLeaseLost() {
    if (!closed) {
      LOG.log(Level.WARNING, "node " + node.id() + " lost its lease: stopping its work");
    }
    reporter.shutdownNow();
    lost.complete(null);
  }

  public NodeInfo node() {
    return node;
  }

  public Lease lease() {
    return lease;
  }

  /** Completes when the lease was lost (not when it was released by {@link #close()}). */
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
