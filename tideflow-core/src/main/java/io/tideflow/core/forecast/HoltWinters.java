package io.tideflow.core.forecast;

/**
 * Additive Holt-Winters (triple exponential smoothing): a level, a trend and a seasonal offset per
 * bucket of the season, each smoothed as the history is read oldest first, then projected: {@code
 * level + k·trend + season[k]}. Fitted afresh on every call (linear in the history: a week of
 * five-minute buckets takes microseconds), so it keeps no state. Missing buckets move the level
 * along its trend and leave the season as it was.
 */
public final class HoltWinters implements Forecaster {
  private final int period;
  private final double alpha;
  private final double beta;
  private final double gamma;

  /**
   * @param period buckets in a season
   * @param alpha how fast the level follows, in (0, 1]
   * @param beta how fast the trend follows, in [0, 1]
   * @param gamma how fast the season's shape follows, in [0, 1]
   */
  public HoltWinters(int period, double alpha, double beta, double gamma) {
    if (period < 2 || period > LoadHistory.MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "period must be in 2.." + LoadHistory.MAX_CAPACITY + " buckets, was " + period);
    }
    if (!(alpha > 0 && alpha <= 1) || !(beta >= 0 && beta <= 1) || !(gamma >= 0 && gamma <= 1)) {
      throw new IllegalArgumentException(
          "alpha must be in (0, 1], beta and gamma in [0, 1]; were "
              + alpha
              + ", "
              + beta
              + ", "
              + gamma);
    }
    this.period = period;
    this.alpha = alpha;
    this.beta = beta;
    this.gamma = gamma;
  }

  /** A day of five-minute buckets; level 0.3, trend 0.01, season 0.2. */
  public static HoltWinters daily() {
    return new HoltWinters(288, 0.3, 0.01, 0.2);
  }

  @Override
  public String name() {
    return "holt-winters";
  }

  @Override
  public String shortOf(LoadHistory history) {
    if (history.size() < 2 * period) {
      return "the history holds "
          + history.size()
          + " bucket(s); two seasons ("
          + 2 * period
          + ") are needed to start the season's shape";
    }
    return null;
  }

  @Override
  public double[] forecast(LoadHistory history, int horizon) {
    Forecaster.checkHorizon(horizon);
    if (shortOf(history) != null) {
      return null;
    }
    long first = history.oldestBucket();
    // Start from the first season: its mean is the level, each bucket's offset from it the shape.
    double[] season = new double[period];
    double firstMean = seasonMean(history, first);
    double secondMean = seasonMean(history, first + period);
    double level = firstMean;
    double trend = (secondMean - firstMean) / period;
    for (int i = 0; i < period; i++) {
      double v = history.mean(first + i);
      season[i] = Double.isNaN(v) ? 0 : v - firstMean;
    }
    long newest = history.newestBucket();
    for (long t = first + period; t <= newest; t++) {
      int slot = (int) Math.floorMod(t - first, period);
      double y = history.mean(t);
      if (Double.isNaN(y)) {
        level += trend;
        continue;
      }
      double previous = level;
      level = alpha * (y - season[slot]) + (1 - alpha) * (level + trend);
      trend = beta * (level - previous) + (1 - beta) * trend;
      season[slot] = gamma * (y - level) + (1 - gamma) * season[slot];
    }
    double[] out = new double[horizon];
    for (int k = 1; k <= horizon; k++) {
      int slot = (int) Math.floorMod(newest + k - first, period);
      out[k - 1] = Math.max(0, level + k * trend + season[slot]);
    }
    return out;
  }

  private double seasonMean(LoadHistory h, long from) {
    double sum = 0;
    int n = 0;
    for (int i = 0; i < period; i++) {
      double v = h.mean(from + i);
      if (!Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? 0 : sum / n;
  }
}
