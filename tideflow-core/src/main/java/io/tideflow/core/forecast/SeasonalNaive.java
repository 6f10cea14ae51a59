package io.tideflow.core.forecast;

/**
 * The load a season ago (a day, a week), corrected for how today differs: each bucket ahead is the
 * mean of the same bucket in the last {@code seasons} seasons, times the ratio of the last {@code
 * window} buckets to their mean over the same seasons (clamped to [¼, 4], so one odd hour cannot
 * make it absurd). So a day like yesterday but 20 % busier is forecast 20 % busier, with the shape
 * of yesterday — the baseline forecasters are measured against, and hard to beat on a clean daily
 * cycle.
 */
public final class SeasonalNaive implements Forecaster {
  private static final double MIN_RATIO = 0.25;
  private static final double MAX_RATIO = 4;

  private final int period;
  private final int seasons;
  private final int window;

  /**
   * @param period buckets in a season (288 five-minute buckets in a day)
   * @param seasons past seasons averaged, at least 2
   * @param window recent buckets the level correction compares, at least 1
   */
  public SeasonalNaive(int period, int seasons, int window) {
    if (period < 2 || period > LoadHistory.MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "period must be in 2.." + LoadHistory.MAX_CAPACITY + " buckets, was " + period);
    }
    if (seasons < 2 || window < 1 || window > period) {
      // One season would compare the last hour with itself: no level correction at all.
      throw new IllegalArgumentException(
          "seasons must be >= 2 and window in 1.." + period + ", were " + seasons + ", " + window);
    }
    this.period = period;
    this.seasons = seasons;
    this.window = window;
  }

  /** A day of five-minute buckets, the last three days averaged, corrected over the last hour. */
  public static SeasonalNaive daily() {
    return new SeasonalNaive(288, 3, 12);
  }

  @Override
  public String name() {
    return "seasonal-naive";
  }

  @Override
  public String shortOf(LoadHistory history) {
    if (history.size() <= period) {
      return "the history holds "
          + history.size()
          + " bucket(s), a season is "
          + period
          + ": at least one season and a bucket are needed";
    }
    return null;
  }

  @Override
  public double[] forecast(LoadHistory history, int horizon) {
    Forecaster.checkHorizon(horizon);
    if (shortOf(history) != null) {
      return null;
    }
    long newest = history.newestBucket();
    double ratio = ratio(history, newest);
    double last = lastKnown(history, newest);
    double[] out = new double[horizon];
    for (int k = 1; k <= horizon; k++) {
      double seasonal = seasonal(history, newest + k, 1);
      out[k - 1] = Double.isNaN(seasonal) ? last : Math.max(0, seasonal * ratio);
    }
    return out;
  }

  /**
   * The mean of bucket {@code index} in the {@code seasons} seasons from {@code from} back (0: the
   * bucket itself), those held; NaN when none is.
   */
  private double seasonal(LoadHistory h, long index, int from) {
    double sum = 0;
    int n = 0;
    for (int s = from; s < from + seasons; s++) {
      long back = index - (long) s * period;
      if (back > h.newestBucket()) {
        continue; // a horizon over a season: that season is still ahead
      }
      double v = h.mean(back);
      if (!Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /**
   * The last {@code window} buckets against the mean of the same buckets in the seasons a forecast
   * now averages (this one and those before it), so a day busier than the ones before is forecast
   * as busy as it is, not busier again.
   */
  private double ratio(LoadHistory h, long newest) {
    double now = 0;
    double then = 0;
    for (long i = newest - window + 1; i <= newest; i++) {
      double v = h.mean(i);
      double s = seasonal(h, i, 0);
      if (!Double.isNaN(v) && !Double.isNaN(s)) {
        now += v;
        then += s;
      }
    }
    if (then <= 0) {
      return now <= 0 ? 1 : MAX_RATIO;
    }
    return Math.clamp(now / then, MIN_RATIO, MAX_RATIO);
  }

  private static double lastKnown(LoadHistory h, long newest) {
    for (long i = newest; i >= h.oldestBucket(); i--) {
      double v = h.mean(i);
      if (!Double.isNaN(v)) {
        return v;
      }
    }
    return 0;
  }
}
