package io.tideflow.store;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A lease kept alive by the store in the background. Keys written with it, and leadership bound to
 * it, end when it ends.
 */
public interface Lease {
  long id();

  Duration ttl();

  /**
   * Completes when the lease has ended for any reason other than {@link #revoke()}: it expired
   * because keep-alives failed, or the store was closed. Whoever holds work under the lease must
   * stop it then (fencing). After {@link #revoke()} it never completes. Each call returns a new
   * dependent future, so completing it does not affect the lease.
   */
  CompletableFuture<Void> lost();

  /** Ends the lease now, deleting its keys. Completes normally if the lease had already ended. */
  CompletableFuture<Void> revoke();
}
