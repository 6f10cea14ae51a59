package io.tideflow.core.balance;

/**
 * When to stop sending to an endpoint that answers, but much more slowly than its peers: Envoy's
 * outlier detection applied to latency instead of success rate. Every {@code intervalNanos} (by the
 * caller's clock, on the thread whose result ends the interval) each usable endpoint that has
 * answered at least {@code minimumRequests} times since it was last judged is judged by its mean
 * latency over those answers; one whose mean is over {@code factor} times the median of its peers'
 * means is ejected for {@code baseEjectionNanos}, doubled for each ejection in a row and capped at
 * {@code maxEjectionNanos}. Nothing is judged unless at least {@code minimumHosts} endpoints have
 * enough requests, so a lone or idle endpoint is never compared with noise.
 *
 * <p>An endpoint short of {@code minimumRequests} in an interval keeps its answers for the next
 * one, so one that is picked seldom — a slow endpoint under a load-aware picker, or one just back
 * from an ejection — is judged as soon as it has answered enough, not never.
 *
 * <p>Why: a load-aware balancer such as power of two choices still gives a slow endpoint the share
 * its speed earns once the fast ones queue up (a 10× slower one gets a few percent), and when that
 * share is above 1 % the slow endpoint's latency becomes everyone's p99.
 *
 * <p>Never starves: an ejection runs out and the endpoint takes traffic again — those requests are
 * the probes that judge it at the next full interval; each interval it is judged healthy takes one
 * doubling off its next ejection. Never empties the set: at most {@code maxEjectionPercent} of the
 * usable endpoints (counting those ejected for failures) and never all of them are out at once;
 * when more are slow, the slowest go first.
 *
 * @param factor how many times the peers' median latency makes an outlier, > 1; {@link
 *     Double#POSITIVE_INFINITY} never ejects ({@link #NONE})
 * @param minimumHosts endpoints with enough requests in an interval needed to judge any, >= 2
 * @param minimumRequests answers an endpoint needs to be judged (and to count as a peer), > 0;
 *     gathered over one or more intervals
 * @param intervalNanos how often endpoints are judged, > 0; also how long a slowness must last
 * @param baseEjectionNanos the first ejection's length, > 0
 * @param maxEjectionNanos the longest ejection, >= base
 * @param maxEjectionPercent the most of the usable endpoints that may be out at once, in [0, 100]
 *     (Envoy's {@code max_ejection_percent}); never all of them whatever the value
 */
public record LatencyOutlierEjection(
    double factor,
    int minimumHosts,
    int minimumRequests,
    long intervalNanos,
    long baseEjectionNanos,
    long maxEjectionNanos,
    int maxEjectionPercent) {

  /** Never ejects for latency: the balancers' behaviour without this feature. */
  public static final LatencyOutlierEjection NONE =
      new LatencyOutlierEjection(Double.POSITIVE_INFINITY, 2, 1, 1, 1, 1, 0);

  /**
   * 3× the peers' median, judged every 50 ms on the last 20 or more answers of each endpoint, with
   * at least 3 endpoints judged; out for 1 s at first, at most 30 s, at most half of the endpoints
   * at once. The interval is short next to Envoy's 10 s because tasks take milliseconds and every
   * interval a slow endpoint stays in costs a few percent of the requests; the 20-answer floor
   * keeps the judgement off noise, and a lightly loaded client simply judges less often.
   */
  public static final LatencyOutlierEjection DEFAULT =
      new LatencyOutlierEjection(3, 3, 20, 50_000_000L, 1_000_000_000L, 30_000_000_000L, 50);

  public LatencyOutlierEjection {
    if (!(factor > 1)) {
      throw new IllegalArgumentException("factor must be > 1, was " + factor);
    }
    if (minimumHosts < 2) {
      throw new IllegalArgumentException("minimumHosts must be >= 2, was " + minimumHosts);
    }
    if (minimumRequests <= 0) {
      throw new IllegalArgumentException("minimumRequests must be > 0, was " + minimumRequests);
    }
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("intervalNanos must be > 0, was " + intervalNanos);
    }
    if (baseEjectionNanos <= 0) {
      throw new IllegalArgumentException("baseEjectionNanos must be > 0, was " + baseEjectionNanos);
    }
    if (maxEjectionNanos < baseEjectionNanos) {
      throw new IllegalArgumentException(
          "maxEjectionNanos must be >= baseEjectionNanos ("
              + baseEjectionNanos
              + "), was "
              + maxEjectionNanos);
    }
    if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
      throw new IllegalArgumentException(
          "maxEjectionPercent must be in [0, 100], was " + maxEjectionPercent);
    }
  }

  /** False for {@link #NONE}-like settings that can never eject. */
  public boolean enabled() {
    return factor != Double.POSITIVE_INFINITY && maxEjectionPercent > 0;
  }

  /** The most of {@code usable} endpoints that may be ejected at once: never all of them. */
  int maxEjected(int usable) {
    return Math.min(usable - 1, usable * maxEjectionPercent / 100);
  }

  /** How long the {@code n}th ejection in a row lasts (n >= 1). */
  long ejectionNanos(int n) {
    return OutlierEjection.backOff(baseEjectionNanos, maxEjectionNanos, n);
  }
}
