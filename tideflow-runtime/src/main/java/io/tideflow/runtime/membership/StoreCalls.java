package io.tideflow.runtime.membership;

import io.tideflow.store.StoreUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for a store future with a bound, for the control path (never the task path). */
public final class StoreCalls {
  private static final long GRACE_MILLIS = 1_000;

  private StoreCalls() {}

  /**
   * Returns the future's value.
   *
   * @throws StoreUnavailableException when it does not complete within {@code timeout}
   * @throws RuntimeException the future's own failure, unwrapped
   */
  public static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
    try {
      // A little beyond the bound, so the store's own timeout error (which names its endpoints)
      // wins over this generic one when both are set alike.
      return future.get(timeout.toMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      future.cancel(false);
      throw new StoreUnavailableException(
          what + ": the cluster store did not answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted", e);
    }
  }
}
