package io.tideflow.runtime.client;

import io.tideflow.core.model.PendingWork;
import io.tideflow.runtime.membership.ClientStatsRecords;
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
 * Publishes two records of a client, both bound to a lease of the client's own so they go when the
 * client does:
 *
 * <ul>
 *   <li>what it waits to place, under {@link ClusterKeys#demand}: written when the waiting work
 *       changed or the lease was lost, rewritten each refresh interval while work waits (so the
 *       autoscaler knows how current it is), deleted when nothing waits;
 *   <li>its task counts, under {@link ClusterKeys#client}: written when they changed or the lease
 *       was lost, so the leading coordinator can export every client's tasks to its alerts.
 * </ul>
 *
 * One write (of either or both) at a time; a report while one is under way is skipped, the next one
 * catches up.
 */
final class ClientReporter {
  private static final System.Logger LOG = System.getLogger(ClientReporter.class.getName());

  private static final CompletableFuture<Throwable> NOTHING =
      CompletableFuture.completedFuture(null);

  private final ClusterStore store;
  private final String clientId;
  private final Duration ttl;

  /** What the store holds of this client's waiting work; null when unknown (a write failed). */
  private List<PendingWork> published = List.of();

  /** The counts the store holds; null when none or unknown. */
  private ClientStatsRecords.Counts publishedCounts;

  /** Whether a counts record may be stored: one was written or tried. */
  private boolean countsTried;

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
  ClientReporter(ClusterStore store, String clientId, Duration ttl, Duration refresh) {
    this.store = store;
    this.clientId = clientId;
    this.ttl = ttl;
    this.refreshMillis = refresh.toMillis();
  }

  String clientId() {
    return clientId;
  }

  /**
   * Writes {@code waiting} and {@code counts} where the store does not hold them yet, unless a
   * write is under way.
   */
  synchronized void report(
      List<PendingWork> waiting, ClientStatsRecords.Counts counts, long nowMillis) {
    if (closed || !writing.isDone()) {
      return;
    }
    boolean leaseAlive = lease != null && !leaseLost.isDone();
    // Stored already unless it changed; work that waits is rewritten each interval, so readers
    // know how current it is, and a lost lease took both records with it.
    boolean demandDue =
        !(waiting.equals(published)
            && (waiting.isEmpty() || (leaseAlive && nowMillis - writtenAtMillis < refreshMillis)));
    boolean countsDue = !leaseAlive || !counts.sameCounts(publishedCounts);
    if (!demandDue && !countsDue) {
      return;
    }
    if (demandDue) {
      writtenAtMillis = nowMillis;
    }
    countsTried |= countsDue;
    CompletableFuture<Lease> held =
        leaseAlive ? CompletableFuture.completedFuture(lease) : store.grantLease(ttl);
    writing =
        held.thenCompose(
                l -> {
                  keep(l);
                  CompletableFuture<Throwable> demand =
                      demandDue ? writeDemand(waiting, nowMillis, l).handle((r, e) -> e) : NOTHING;
                  CompletableFuture<Throwable> stats =
                      countsDue
                          ? store
                              .put(
                                  ClusterKeys.client(clientId),
                                  ClientStatsRecords.encode(counts),
                                  l.id())
                              .handle((r, e) -> e)
                          : NOTHING;
                  return demand.thenCombine(
                      stats,
                      (de, se) -> {
                        done(demandDue, waiting, de, countsDue, counts, se);
                        return null;
                      });
                })
            .whenComplete(
                (v, e) -> {
                  if (e != null) { // no lease: neither was written
                    done(demandDue, waiting, e, countsDue, counts, e);
                  }
                });
  }

  private CompletableFuture<?> writeDemand(List<PendingWork> waiting, long nowMillis, Lease l) {
    String key = ClusterKeys.demand(clientId);
    if (waiting.isEmpty()) {
      return store.delete(key);
    }
    byte[] record = DemandRecords.encode(new DemandRecords.Report(clientId, nowMillis, waiting));
    return store.put(key, record, l.id());
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

  private synchronized void done(
      boolean demandDue,
      List<PendingWork> waiting,
      Throwable demandError,
      boolean countsDue,
      ClientStatsRecords.Counts counts,
      Throwable countsError) {
    if (demandDue) {
      published = demandError == null ? waiting : null; // unknown: the next report writes again
      failed("waiting work", demandError);
    }
    if (countsDue) {
      publishedCounts = countsError == null ? counts : null;
      if (countsError != demandError) {
        failed("task counts", countsError);
      }
    }
  }

  private void failed(String what, Throwable error) {
    if (error != null) {
      LOG.log(
          closed ? Level.DEBUG : Level.WARNING,
          "could not publish the " + what + " of client " + clientId + ": " + error.getMessage());
    }
  }

  /** Deletes the records and ends the lease; failures are logged, not thrown. */
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
              boolean demandStored;
              boolean countsStored;
              synchronized (this) {
                l = lease;
                lease = null;
                demandStored = published == null || !published.isEmpty();
                countsStored = countsTried;
              }
              CompletableFuture<?> demand =
                  demandStored
                      ? store.delete(ClusterKeys.demand(clientId))
                      : CompletableFuture.completedFuture(null);
              CompletableFuture<?> stats =
                  countsStored
                      ? store.delete(ClusterKeys.client(clientId))
                      : CompletableFuture.completedFuture(null);
              return CompletableFuture.allOf(demand, stats)
                  .thenCompose(
                      y -> l == null ? CompletableFuture.<Void>completedFuture(null) : l.revoke());
            })
        .exceptionally(
            e -> {
              LOG.log(Level.DEBUG, "client " + clientId + " left its records: " + e.getMessage());
              return null;
            });
  }
}
