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
    NodeInfo next = node.withLoad(loadSource.get());
    node = next;
    store
        .put(ClusterKeys.node(next.id()), NodeRecords.encode(next), lease.id())
        .whenComplete(
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

  /** Moves the node to {@code state} in the registry (e.g. DRAINING). */
  public synchronized void moveTo(NodeState state) {
    node = node.withState(state);
    write();
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
