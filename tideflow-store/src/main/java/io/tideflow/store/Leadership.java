package io.tideflow.store;

import java.util.concurrent.CompletableFuture;

/**
 * Leadership won in an election. It ends only when the store says so (the lease ended there, or the
 * leader key was deleted), never because the store could not be reached for a while: check the
 * lease's {@link Lease#confirmed()} before acting on a leadership.
 *
 * <p>Fencing: any action taken as leader carries {@link #fencingToken()}, and receivers check it
 * against the current leader's token in the store ({@link ClusterStore#leader}); the leader's own
 * writes go through {@link #put} and {@link #delete}, which the store applies only while this
 * leadership still stands there. So a leader that was paused past its lease and resumes cannot undo
 * its successor's work.
 */
public interface Leadership {
  String election();

  String candidate();

  /** Grows with each new leader of the election (the store revision at which this one won). */
  long fencingToken();

  /** Completes when this leadership has ended: resigned, or its lease ended. */
  CompletableFuture<Void> lost();

  /**
   * Writes {@code key} (without a lease) in one store transaction that holds only while this
   * leadership stands: the leader key still exists with {@link #fencingToken()} as its create
   * revision. Completes with true when written, false when another leads or none does (nothing is
   * written then). Same argument checks and failures as {@link ClusterStore#put}.
   */
  CompletableFuture<Boolean> put(String key, byte[] value);

  /**
   * Deletes {@code key} under the same condition as {@link #put}; completes with true when this
   * leadership stands (whether or not the key existed), false when it does not (nothing deleted).
   */
  CompletableFuture<Boolean> delete(String key);

  /** Gives up leadership; another candidate may then win. */
  CompletableFuture<Void> resign();
}
