package io.tideflow.runtime.client;

import io.tideflow.core.model.PendingWork;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.DemandRecords;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.Lease;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes what a client waits to place under {@link ClusterKeys#demand}, bound to a lease of
 * the client's own so the record goes when the client does. Writes only when the waiting work
 * changed (or its lease was lost), one write at a time; deletes the record when nothing waits.
 */
final class DemandReporter {
  private static final System.Logger LOG = System.getLogger(DemandReporter.class.getName());

  private final ClusterStore store;
  private final String clientId;
  private final Duration ttl;
  /** What the store holds for this client; null when unknown (a write failed). */
  private List<PendingWork> published = List.of();
  private Lease lease;
  private CompletableFuture<?> writing = CompletableFuture.completedFuture(null);

  DemandReporter(ClusterStore store, String clientId, Duration ttl) {
    this.store = store;
    this.clientId = clientId;
    this.ttl = ttl;
  }

  String clientId() {
    return clientId;
  }

  /** Writes {@code waiting} unless the store already holds it or a write is under way. */
  synchronized void report(List<PendingWork> waiting, long nowMillis) {
    if (!writing.isDone()) {
      return;
    }
    boolean leaseAlive = lease != null && !lease.lost().isDone();
    if (waiting.equals(published) && (waiting.isEmpty() || leaseAlive)) {
      return;
    }
    String key = ClusterKeys.demand(clientId);
    if (waiting.isEmpty()) {
      writing = store.delete(key).whenComplete((existed, e) -> done(waiting, e));
      return;
    }
    byte[] record = DemandRecords.encode(new DemandRecords.Report(clientId, nowMillis, waiting));
    CompletableFuture<Lease> held =
        leaseAlive ? CompletableFuture.completedFuture(lease) : store.grantLease(ttl);
    writing = held.thenCompose(l -> {
      keep(l);
      return store.put(key, record, l.id());
    }).whenComplete((revision, e) -> done(waiting, e));
  }

  private synchronized void keep(Lease l) {
    lease = l;
  }

  private synchronized void done(List<PendingWork> written, Throwable error) {
    if (error == null) {
      published = written;
    } else {
      published = null; // unknown: the next report writes again
      LOG.log(Level.WARNING, "could not publish the waiting work of client " + clientId + ": "
          + error.getMessage());
    }
  }

  /** Deletes the record and ends the lease; failures are logged, not thrown. */
  synchronized CompletableFuture<Void> close() {
    Lease l = lease;
    lease = null;
    CompletableFuture<?> delete = published != null && published.isEmpty()
        ? CompletableFuture.completedFuture(null)
        : store.delete(ClusterKeys.demand(clientId));
    return delete.thenCompose(x -> l == null ? CompletableFuture.<Void>completedFuture(null) : l.revoke())
        .exceptionally(e -> {
          LOG.log(Level.DEBUG, "client " + clientId + " left its demand record: " + e.getMessage());
          return null;
        });
  }
}
