package io.tideflow.core.flow;

/**
 * What a process's instances did over one window, summed over its instances: records taken in,
 * records sent out, and the seconds they spent working on them (not waiting for input or for room
 * downstream). Measured at the channel boundaries; the input of DS2's "true rates".
 *
 * @param processed records taken in (for a source: records produced)
 * @param emitted records sent out
 * @param usefulSeconds time spent processing, summed over the instances
 */
public record ProcessRates(double processed, double emitted, double usefulSeconds) {
  public ProcessRates {
    if (!(processed >= 0) || !(emitted >= 0) || !(usefulSeconds >= 0)) {
      throw new IllegalArgumentException(
          "rates must be >= 0, were processed "
              + processed
              + ", emitted "
              + emitted
              + ", usefulSeconds "
              + usefulSeconds);
    }
  }

  /** Records one instance processes per second of useful time: its true processing rate. */
  double trueProcessingRate() {
    return usefulSeconds == 0 ? Double.NaN : processed / usefulSeconds;
  }

  /** Records sent out per record taken in. */
  double selectivity() {
    return processed == 0 ? 1 : emitted / processed;
  }
}
