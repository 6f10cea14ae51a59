package io.tideflow.core.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * How many of a pool's nodes count as still starting for {@link PoolState#starting()}: those not
 * taking work yet, and those that became READY too recently for the pending demand to reflect them.
 * Demand is reported by clients some time after a node comes up (they must see it, place on it,
 * report); counting such a node as up would ask for its capacity a second time.
 */
public final class StartingNodes {
  private StartingNodes() {}

  /**
   * @param current nodes of the pool that are up or starting
   * @param readySince when each READY node of the pool became READY (null entries: unknown, up)
   * @param demandAsOf when the pending demand was last known complete; null when demand is not
   *     used, and then only nodes not READY count
   * @param settle how long after a node is READY clients may take to reflect it in their demand
   * @param maxUnseen a node READY longer than this counts as up whatever the demand says, so a
   *     client that stops reporting cannot hold the pool back for ever
   * @param now the decision's time
   */
  public static int count(
      int current,
      Collection<Instant> readySince,
      Instant demandAsOf,
      Duration settle,
      Duration maxUnseen,
      Instant now) {
    int starting = Math.max(0, current - readySince.size());
    if (demandAsOf != null) {
      for (Instant since : readySince) {
        if (since != null
            && since.plus(settle).isAfter(demandAsOf)
            && since.plus(maxUnseen).isAfter(now)) {
          starting++;
        }
      }
    }
    return Math.min(current, starting);
  }
}
