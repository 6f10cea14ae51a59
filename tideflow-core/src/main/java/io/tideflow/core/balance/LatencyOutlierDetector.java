package io.tideflow.core.balance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies a {@link LatencyOutlierEjection} to a balancer's usable endpoints. Answers are added to
 * per-endpoint interval windows from any thread; the first answer after an interval ends judges
 * every endpoint, on that thread, in O(n log n). Time is the caller's nanos.
 */
final class LatencyOutlierDetector {
  private static final long NOT_STARTED = Long.MIN_VALUE;

  private final LatencyOutlierEjection policy;
  private final AtomicLong nextJudgementNanos = new AtomicLong(NOT_STARTED);

  LatencyOutlierDetector(LatencyOutlierEjection policy) {
    this.policy = policy;
  }

  /** Records one answer of {@code s} and, when an interval has ended, judges {@code usable}. */
  void onAnswer(EndpointStats s, long latencyNanos, EndpointStats[] usable, long nowNanos) {
    s.recordAnswer(latencyNanos);
    long due = nextJudgementNanos.get();
    if (due != NOT_STARTED && nowNanos - due < 0) {
      return;
    }
    // One thread wins the interval; the others carry on without waiting for the judgement.
    if (!nextJudgementNanos.compareAndSet(due, nowNanos + policy.intervalNanos())) {
      return;
    }
    if (due == NOT_STARTED) {
      for (EndpointStats e : usable) {
        e.clearWindow(); // the first interval starts now, empty
      }
    } else {
      judge(usable, nowNanos);
    }
  }

  private record Judged(EndpointStats stats, double meanNanos) {}

  /**
   * Serialized in case a judgement outlasts an interval (then two threads could win in turn); the
   * monitor guards the ejection counts and nothing else, and no I/O happens under it.
   */
  synchronized void judge(EndpointStats[] usable, long nowNanos) {
    List<Judged> judged = new ArrayList<>(usable.length);
    int out = 0;
    for (EndpointStats s : usable) {
      if (!s.available(nowNanos)) {
        out++;
        s.clearWindow(); // ejected: answers to requests sent before the ejection judge nothing
        continue;
      }
      double mean = s.takeWindowMean(policy.minimumRequests());
      if (mean >= 0) {
        judged.add(new Judged(s, mean));
      }
    }
    if (judged.size() < policy.minimumHosts()) {
      return;
    }
    double[] means = judged.stream().mapToDouble(Judged::meanNanos).sorted().toArray();
    List<Judged> outliers = new ArrayList<>();
    for (Judged j : judged) {
      if (j.meanNanos() > policy.factor() * medianWithout(means, j.meanNanos())) {
        outliers.add(j);
      } else {
        j.stats().judgedHealthy();
      }
    }
    outliers.sort(Comparator.comparingDouble(Judged::meanNanos).reversed());
    int room = policy.maxEjected(usable.length) - out;
    for (int i = 0; i < outliers.size() && i < room; i++) {
      EndpointStats s = outliers.get(i).stats();
      s.ejectForLatency(nowNanos + policy.ejectionNanos(s.latencyEjections() + 1));
    }
  }

  /** The median of sorted {@code values} with one occurrence of {@code self} left out. */
  static double medianWithout(double[] sorted, double self) {
    int skip = Arrays.binarySearch(sorted, self);
    int n = sorted.length - 1;
    double lo = at(sorted, skip, (n - 1) / 2);
    double hi = at(sorted, skip, n / 2);
    return (lo + hi) / 2;
  }

  private static double at(double[] sorted, int skip, int i) {
    return sorted[i < skip ? i : i + 1];
  }
}
