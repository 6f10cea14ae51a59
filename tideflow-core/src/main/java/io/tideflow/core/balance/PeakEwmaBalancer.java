package io.tideflow.core.balance;

/**
 * Power of two choices over peak-EWMA latency, as Finagle and Linkerd balance: draw two distinct
 * usable endpoints from the pick key's bits and send to the one with the lower {@code latency × (in
 * flight + 1)}. The latency estimate jumps up at once on a slow response and decays toward faster
 * ones with time constant {@code decayNanos} (Finagle's default is 10 s); an endpoint never
 * observed costs {@code initialCostNanos} (Linkerd's {@code default_rtt}).
 */
public final class PeakEwmaBalancer extends AbstractBalancer {

  /**
   * @param decayNanos the EWMA time constant τ: an observation's weight falls by e every τ
   * @param initialCostNanos latency assumed for an endpoint not yet observed
   */
  public PeakEwmaBalancer(OutlierEjection ejection, long decayNanos, long initialCostNanos) {
    this(ejection, LatencyOutlierEjection.NONE, decayNanos, initialCostNanos);
  }

  /**
   * With latency outlier ejection: P2C alone still gives a 10× slower endpoint the few percent of
   * requests its cost earns when the others queue up, enough to set the p99; ejecting it while it
   * stays that slow takes it out of the tail (see {@link LatencyOutlierEjection}).
   *
   * @param latencyEjection when to eject an endpoint much slower than its peers; {@link
   *     LatencyOutlierEjection#NONE} for plain P2C
   */
  public PeakEwmaBalancer(
      OutlierEjection ejection,
      LatencyOutlierEjection latencyEjection,
      long decayNanos,
      long initialCostNanos) {
    super(ejection, latencyEjection, decayNanos, initialCostNanos);
  }

  @Override
  Picker newPicker(EndpointStats[] usable) {
    double tau = tauNanos();
    return (key, now) -> {
      int n = usable.length;
      if (n == 1) {
        return usable[0].available(now) ? choose(usable[0]) : allEjected(1);
      }
      int i = (int) Math.floorMod(key >>> 32, (long) n);
      int j = (int) Math.floorMod(key & 0xFFFF_FFFFL, (long) (n - 1));
      if (j >= i) {
        j++;
      }
      EndpointStats a = usable[i];
      EndpointStats b = usable[j];
      boolean aUp = a.available(now);
      boolean bUp = b.available(now);
      if (aUp && bUp) {
        return choose(load(a, now, tau) <= load(b, now, tau) ? a : b);
      }
      if (aUp || bUp) {
        return choose(aUp ? a : b);
      }
      return cheapestAvailable(usable, now, tau);
    };
  }

  private static double load(EndpointStats s, long now, double tau) {
    return s.costNanos(now, tau) * (s.inFlight() + 1);
  }

  /** Both draws were ejected: fall back to a scan so a few ejections do not fail picks. */
  private PickResult cheapestAvailable(EndpointStats[] usable, long now, double tau) {
    EndpointStats best = null;
    double bestLoad = Double.MAX_VALUE;
    for (EndpointStats s : usable) {
      if (s.available(now) && load(s, now, tau) < bestLoad) {
        best = s;
        bestLoad = load(s, now, tau);
      }
    }
    return best == null ? allEjected(usable.length) : choose(best);
  }
}
