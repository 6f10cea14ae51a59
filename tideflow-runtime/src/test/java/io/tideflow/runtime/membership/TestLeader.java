package io.tideflow.runtime.membership;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.Leadership;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * For tests that act as the cluster's coordinator: wins the coordinator election under a lease of
 * its own, so workers accept its fencing token on drains and terminates (they check it in the
 * store). Resign the leadership when done.
 */
public final class TestLeader {
  private static final Duration LEASE = Duration.ofMinutes(5);

  private TestLeader() {}

  public static Leadership lead(ClusterStore store, String candidate) {
    try {
      return store
          .campaign(
              ClusterKeys.COORDINATOR_ELECTION,
              candidate,
              store.grantLease(LEASE).get(30, TimeUnit.SECONDS))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not lead as " + candidate + ": " + e, e);
    }
  }
}
