package io.tideflow.core.forecast;

/**
 * Forecasts a load from its own history. Pure: the same history gives the same forecast; no clock,
 * no state of its own.
 */
public interface Forecaster {
  /**
   * The load expected in each of the {@code horizon} buckets after the history's newest one ({@code
   * [0]} is the next bucket), each ≥ 0; null when the history is too short to say, and {@link
   * #shortOf} then says why.
   *
   * @throws IllegalArgumentException when {@code horizon} is not in 1..{@link
   *     LoadHistory#MAX_CAPACITY}
   */
  double[] forecast(LoadHistory history, int horizon);

  /** Why {@code history} is too short for a forecast; null when it is long enough. */
  String shortOf(LoadHistory history);

  /** A short name for decision logs, e.g. {@code seasonal-naive}. */
  String name();

  /** Refuses a horizon outside 1..{@link LoadHistory#MAX_CAPACITY}. */
  static void checkHorizon(int horizon) {
    if (horizon < 1 || horizon > LoadHistory.MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "horizon must be in 1.." + LoadHistory.MAX_CAPACITY + " buckets, was " + horizon);
    }
  }
}
