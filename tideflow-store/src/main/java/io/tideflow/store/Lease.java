package io.tideflow.store;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A lease kept alive by the store in the background. Keys written with it, and leadership bound to
 * it, end when it ends.
 *
 * <p>Two things are kept apart, as they must be in a distributed system: the store <em>saying</em>
 * the lease is gone ({@link #lost()}), and the holder merely <em>not hearing</em> from the store
 * ({@link #unconfirmedFor()}). A store that cannot be reached ends nothing by itself: the lease may
 * well live on, and when the store answers again it either renews the lease or says it is gone.
 */
public interface Lease {
  long id();

  Duration ttl();

  /**
   * Completes when the store has said the lease is gone (it expired there, or someone revoked it),
   * or this store was closed; never on a local guess such as a keep-alive that got no answer. After
   * {@link #revoke()} it never completes. Each call returns a new dependent future, so completing
   * it does not affect the lease.
   */
  CompletableFuture<Void> lost();

  /**
   * For how long the holder has not been able to count on the lease: zero while the store has
   * answered a keep-alive sent less than a TTL ago (minus a margin for the two clocks' drift), so
   * the lease cannot have expired yet; else the time since that bound passed. A leader whose lease
   * is unconfirmed must hold its actions (another may lead by now); a worker may go on serving.
   * Measured on the store's clock.
   */
  Duration unconfirmedFor();

  /** True while {@link #unconfirmedFor()} is zero. */
  default boolean confirmed() {
    return unconfirmedFor().isZero();
  }

  /** Ends the lease now, deleting its keys. Completes normally if the lease had already ended. */
  CompletableFuture<Void> revoke();
}
