package io.tideflow.core.autoscale;

import io.tideflow.core.autoscale.PoolState.Recommendation;
import io.tideflow.core.autoscale.PoolState.ScaleEvent;
import io.tideflow.core.forecast.LoadHistory;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a pool's {@link PoolReconciler} remembers between steps; immutable, so the runtime keeps one
 * reference to the newest and may hand it to readers on any thread.
 *
 * @param samples the metrics window, oldest first
 * @param history the pool's scale events, oldest first (the newest {@value #HISTORY_KEPT})
 * @param recommendations raw recommendations within the window, oldest first
 * @param missingSince provided nodes missing from the registry, and since when
 * @param leaving nodes on their way out (drained, then terminated), by id
 * @param launching true while a launch is outstanding: its nodes may not be listed yet
 * @param load the pool's load over the last days, for a {@link PredictivePolicy}'s forecast
 */
public record PoolBook(
    List<MetricsWindow.Sample> samples,
    List<ScaleEvent> history,
    List<Recommendation> recommendations,
    Map<String, Instant> missingSince,
    Map<String, Leaving> leaving,
    boolean launching,
    LoadHistory load) {

  /** Scale events kept: enough for any cooldown or rate-limit period a pool would use. */
  public static final int HISTORY_KEPT = 1_000;

  public PoolBook {
    samples = List.copyOf(samples);
    history =
        List.copyOf(
            history.size() > HISTORY_KEPT
                ? history.subList(history.size() - HISTORY_KEPT, history.size())
                : history);
    recommendations = List.copyOf(recommendations);
    missingSince = Map.copyOf(missingSince);
    leaving = Map.copyOf(leaving);
    if (load == null) {
      throw new IllegalArgumentException("load must not be null (PoolState.NO_LOAD for none)");
    }
  }

  /** A pool that has not decided yet. */
  public static PoolBook empty() {
    return new PoolBook(
        List.of(), List.of(), List.of(), Map.of(), Map.of(), false, PoolState.NO_LOAD);
  }

  /** Where a leaving node is on its way out. */
  public enum Stage {
    /** Asked to finish its tasks and take no new ones. */
    DRAINING,
    /** Its termination is under way. */
    TERMINATING,
    /** Its termination failed; tried again at {@link Leaving#retryAt()}. */
    WAITING_TO_RETRY
  }

  /**
   * A node on its way out.
   *
   * @param failures how many times its termination failed so far
   * @param retryAt when it is tried again ({@link Stage#WAITING_TO_RETRY} only, null otherwise)
   */
  public record Leaving(Stage stage, int failures, Instant retryAt) {
    public Leaving {
      if (stage == null) {
        throw new IllegalArgumentException("stage must not be null");
      }
      if (failures < 0) {
        throw new IllegalArgumentException("failures must be >= 0, was " + failures);
      }
      if ((stage == Stage.WAITING_TO_RETRY) != (retryAt != null)) {
        throw new IllegalArgumentException(
            "retryAt must be set exactly when waiting to retry, was " + retryAt + " in " + stage);
      }
    }
  }
}
