package io.tideflow.core.balance;

/**
 * Sends to the usable endpoint with the fewest requests in flight, scanning from a position taken
 * from the pick key so that ties are broken evenly rather than always toward the first endpoint.
 * O(endpoints) per pick; prefer {@link PeakEwmaBalancer} beyond a few dozen.
 */
public final class LeastLoadedBalancer extends AbstractBalancer {

  public LeastLoadedBalancer(OutlierEjection ejection) {
    this(ejection, LatencyOutlierEjection.NONE);
  }

  /**
   * With endpoints much slower than their peers also ejected for a while ({@link
   * LatencyOutlierEjection}).
   */
  public LeastLoadedBalancer(OutlierEjection ejection, LatencyOutlierEjection latencyEjection) {
    super(ejection, latencyEjection, 1, 0);
  }

  @Override
  Picker newPicker(EndpointStats[] usable) {
    return (key, now) -> {
      int n = usable.length;
      int start = (int) Math.floorMod(key, (long) n);
      EndpointStats best = null;
      int bestLoad = Integer.MAX_VALUE;
      for (int i = 0; i < n; i++) {
        int j = start + i;
        EndpointStats s = usable[j < n ? j : j - n];
        int load = s.inFlight();
        if (load < bestLoad && s.available(now)) {
          best = s;
          bestLoad = load;
        }
      }
      return best == null ? allEjected(n) : choose(best);
    };
  }
}
