package io.tideflow.runtime.client;

import io.tideflow.core.model.PendingWork;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.DemandRecords;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.Lease;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes what a client waits to place under {@link ClusterKeys#demand}, bound to a lease of the
 * client's own so the record goes when the client does. Writes when the waiting work changed or its
 * lease was lost, and rewrites it each refresh interval while work waits (so the autoscaler knows
 * how current it is); one write at a time; deletes the record when nothing waits.
 */
final class DemandReporter {
  private static final System.Logger LOG = System.getLogger(DemandReporter.class.getName());

  private final ClusterStore store;
  private final String clientId;
  private final Duration ttl;

  /** What the store holds for this client; null when unknown (a write failed). */
  private List<PendingWork> published = List.of();

  private Lease lease;

  /** The lease's {@code lost()}, taken once: each call of it makes a new future. */
  private CompletableFuture<Void> leaseLost;

  private CompletableFuture<?> writing = CompletableFuture.completedFuture(null);
  private boolean closed;
  private long writtenAtMillis;
  private final long refreshMillis;

  /**
   * @param refresh how often a record of waiting work is rewritten though unchanged, so readers can
   *     tell it is current
   */
  DemandReporter(ClusterStore store, String clientId, Duration ttl, Duration refresh) {
    this.store = store;
    this.clientId = clientId;
    this.ttl = ttl;
    this.refreshMillis = refresh.toMillis();
  }

  String clientId() {
    return clientId;
  }

  /** Writes {@code waiting} unless the store already holds it or a write is under way. */
  synchronized void report(List<PendingWork> waiting, long nowMillis) {
    if (closed || !writing.isDone()) {
      return;
    }
    boolean leaseAlive = lease != null && !leaseLost.isDone();
    if (waiting.equals(published)
        && (waiting.isEmpty() || leaseAlive)
        && (waiting.isEmpty() || nowMillis - writtenAtMillis < refreshMillis)) {
      return; // stored already; work that waits is rewritten each interval, so readers know
    } // how current it is
    writtenAtMillis = nowMillis;
    String key = ClusterKeys.demand(clientId);
    if (waiting.isEmpty()) {
      writing = store.delete(key).whenComplete((existed, e) -> done(waiting, e));
      return;
    }
    byte[] record = DemandRecords.encode(new DemandRecords.Report(clientId, nowMillis, waiting));
    CompletableFuture<Lease> held =
        leaseAlive ? CompletableFuture.completedFuture(lease) : store.grantLease(ttl);
    writing =
        held.thenCompose(
                l -> {
                  keep(l);
                  return store.put(key, record, l.id());
                })
            .whenComplete((revision, e) -> done(waiting, e));
  }

  private synchronized void keep(Lease l) {
    if (closed) {
      l.revoke(); // granted while closing: give it back rather than leave a record behind
      throw new CancellationException("client " + clientId + " closed");
    }
    if (l != lease) {
      lease = l;
      leaseLost = l.lost();
    }
  }

  private synchronized void done(List<PendingWork> written, Throwable error) {
    if (error == null) {
      published = written;
    } else {
      published = null; // unknown: the next report writes again
      LOG.log(
          closed ? Level.DEBUG : Level.WARNING,
          "could not publish the waiting work of client " + clientId + ": " + error.getMessage());
    }
  }

  /** Deletes the record and ends the lease; failures are logged, not thrown. */
  CompletableFuture<Void> close() {
    CompletableFuture<?> last;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.completedFuture(null);
      }
      closed = true;
      last = writing;
    }
    // After the write under way (a lease granted meanwhile is revoked by keep()), delete what
    // may be stored and end the lease it is under.
    return last.handle((v, e) -> null)
        .thenCompose(
            x -> {
              Lease l;
              boolean stored;
              synchronized (this) {
                l = lease;
                lease = null;
                stored = published == null || !published.isEmpty();
              }
              CompletableFuture<?> delete =
                  stored
                      ? store.delete(ClusterKeys.demand(clientId))
                      : CompletableFuture.completedFuture(null);
              return delete.thenCompose(
                  y -> l == null ? CompletableFuture.<Void>completedFuture(null) : l.revoke());
            })
        .exceptionally(
            e -> {
              LOG.log(
                  Level.DEBUG, "client " + clientId + " left its demand record: " + e.getMessage());
              return null;
            });
  }
}
