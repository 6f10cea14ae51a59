package io.tideflow.core.balance;

import java.util.concurrent.atomic.AtomicInteger;

/** Takes the usable endpoints in turn, skipping ejected ones; ignores the pick key. */
public final class RoundRobinBalancer extends AbstractBalancer {

  public RoundRobinBalancer(OutlierEjection ejection) {
    this(ejection, LatencyOutlierEjection.NONE);
  }

  /**
   * With endpoints much slower than their peers also ejected for a while ({@link
   * LatencyOutlierEjection}).
   */
  public RoundRobinBalancer(OutlierEjection ejection, LatencyOutlierEjection latencyEjection) {
    super(ejection, latencyEjection, 1, 0);
  }

  @Override
  Picker newPicker(EndpointStats[] usable) {
    AtomicInteger next = new AtomicInteger();
    return (key, now) -> {
      int n = usable.length;
      for (int tries = 0; tries < n; tries++) {
        EndpointStats s = usable[Math.floorMod(next.getAndIncrement(), n)];
        if (s.available(now)) {
          return choose(s);
        }
      }
      return allEjected(n);
    };
  }
}
