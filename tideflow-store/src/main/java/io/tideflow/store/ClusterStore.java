package io.tideflow.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster's shared state: a revisioned key-value store with leases, watches and leader
 * election. Tideflow keeps membership, leases and leadership here, never per-task data.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>Every write moves the store's single revision counter forward; {@link KeyValue} carries the
 *       revision that created and last modified it.
 *   <li>Futures complete on a thread of the store's own, never on the caller's thread while it is
 *       inside the call; callers must not block that thread (hand long work to another).
 *   <li>A future fails with {@link StoreUnavailableException} when the store cannot be reached
 *       within its request timeout, and with {@link LeaseNotFoundException} when a write names a
 *       lease that is gone. Other failures are bugs.
 *   <li>Keys are non-blank strings; values are at most {@link #MAX_VALUE_BYTES} bytes. A call with
 *       a bad argument (null, blank key, oversized value, election name with '/') throws {@link
 *       IllegalArgumentException} or {@link NullPointerException} itself, naming the argument; it
 *       returns no future. {@code io.tideflow.store.limits.StoreLimits} holds these checks.
 *   <li>Watch listeners of one watch are called one at a time, in revision order.
 *   <li>After {@link #close()}, calls fail with {@link StoreUnavailableException}; leases and
 *       leaderships report {@code lost()}; watches stop without calling {@code onError}.
 * </ul>
 */
public interface ClusterStore extends AutoCloseable {

  /** Largest value accepted by {@link #put} and {@link #compareAndSet}. */
  int MAX_VALUE_BYTES = 1 << 20;

  /**
   * Grants a lease of {@code ttl} and keeps it alive in the background until it is revoked or the
   * store is closed. If keep-alive fails for longer than the TTL the lease expires: the store
   * deletes the keys attached to it and {@link Lease#lost()} completes.
   */
  CompletableFuture<Lease> grantLease(Duration ttl);

  /**
   * Writes {@code key}. With a lease ({@code leaseId != 0}) the key is deleted when the lease ends.
   * Completes with the revision of the write.
   */
  CompletableFuture<Long> put(String key, byte[] value, long leaseId);

  CompletableFuture<Optional<KeyValue>> get(String key);

  /** All keys that start with {@code prefix}, sorted by key, and the revision they were read at. */
  CompletableFuture<Snapshot> list(String prefix);

  /**
   * Writes {@code key} only if its modification revision is {@code expectedModRevision}; {@code 0}
   * means "only if absent". Completes with true when written.
   */
  CompletableFuture<Boolean> compareAndSet(
      String key, long expectedModRevision, byte[] value, long leaseId);

  /** Deletes {@code key}; completes with true when it existed. */
  CompletableFuture<Boolean> delete(String key);

  /**
   * Calls {@code listener} for every change under {@code prefix} from {@code fromRevision}
   * (inclusive) on. Pass {@code snapshot.revision() + 1} to follow a {@link #list} without gaps.
   * {@code 0} means "from when the store has set the watch up", which for a remote store is a
   * little after this call returns: changes made meanwhile may be missed, so pass a revision when
   * that matters. If {@code fromRevision} is older than the history the store keeps, the listener's
   * {@code onError} receives a {@link RevisionCompactedException}.
   */
  Watch watch(String prefix, long fromRevision, WatchListener listener);

  /**
   * Stands {@code candidate} in the election {@code election}, bound to {@code lease}: the store
   * writes the key {@code election/<election>/<leaseId in hex>} under the lease, and the candidate
   * whose key was created first leads. Completes when the candidate leads, or fails with {@link
   * LeaseNotFoundException} if the lease ends first. The returned {@link Leadership} carries a
   * fencing token that grows with each new leader. Leadership ends when the lease ends or on {@link
   * Leadership#resign()}.
   */
  CompletableFuture<Leadership> campaign(String election, String candidate, Lease lease);

  /** The current leader of {@code election}, if any. */
  CompletableFuture<Optional<LeaderInfo>> leader(String election);

  /** Stops keep-alives and watches and releases connections. Idempotent. */
  @Override
  void close();

  /** One change seen by a watch. */
  record WatchEvent(Type type, KeyValue kv) {
    public enum Type {
      PUT,
      DELETE
    }
  }

  /** Receives the changes of one watch. */
  interface WatchListener {
    void onEvents(List<WatchEvent> events);

    /** The watch ended with an error (the store's connection is gone for good, or compacted). */
    default void onError(Throwable error) {}
  }

  /** A running watch. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }

  /** Keys read together and the store revision they reflect. */
  record Snapshot(long revision, List<KeyValue> kvs) {
    public Snapshot {
      kvs = List.copyOf(kvs);
    }
  }

  /** Who leads an election, and the fencing token of that leadership. */
  record LeaderInfo(String candidate, long fencingToken) {}
}
