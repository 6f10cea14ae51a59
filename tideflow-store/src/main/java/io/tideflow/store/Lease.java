package io.tideflow.store;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A lease kept alive by the store in the background. Keys written with it, and leadership bound
 * to it, end when it ends.
 */
public interface Lease {
  long id();

  Duration ttl();

  /**
   * Completes when the lease has ended for any reason other than {@link #revoke()}: it expired
   * because keep-alives failed, or the store was closed. Whoever holds work under the lease must
   * stop it then (fencing).
   */
  CompletableFuture<Void> lost();

  /** Ends the lease now, deleting its keys. */
  CompletableFuture<Void> revoke();
}
