package io.tideflow.core.balance;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a balancer has learned of one endpoint, kept across picker rebuilds. Updated with atomics by
 * pickers (in flight +1) and by {@link Balancer#onResult} (in flight −1, latency, failures), from
 * any thread; read without locks by pickers.
 */
final class EndpointStats {
  final Endpoint endpoint;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicInteger ejections = new AtomicInteger();
  private volatile boolean ejected;
  private volatile long ejectedUntilNanos;
  private final AtomicReference<Ewma> latency;

  /** Latency answered in the current outlier-detection interval: total nanos and answers. */
  private final AtomicLong windowNanos = new AtomicLong();

  private final AtomicInteger windowAnswers = new AtomicInteger();
  private volatile boolean latencyEjected;
  private volatile long latencyEjectedUntilNanos;

  /** Ejections for latency not yet worked off by healthy intervals; the detector's only. */
  private int latencyEjections;

  /** A peak-EWMA latency estimate: {@code cost} nanos as of {@code stampNanos}. */
  record Ewma(double cost, long stampNanos, boolean observed) {}

  EndpointStats(Endpoint endpoint, long initialCostNanos) {
    this.endpoint = endpoint;
    this.latency = new AtomicReference<>(new Ewma(initialCostNanos, 0, false));
  }

  int inFlight() {
    return inFlight.get();
  }

  void started() {
    inFlight.incrementAndGet();
  }

  /** Returns true when a request was in flight to finish (a stray result is ignored). */
  boolean finished() {
    return inFlight.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  /**
   * True unless ejected (for failures or latency) and the ejection has not run out at {@code
   * nowNanos}.
   */
  boolean available(long nowNanos) {
    return (!ejected || nowNanos - ejectedUntilNanos >= 0)
        && (!latencyEjected || nowNanos - latencyEjectedUntilNanos >= 0);
  }

  /** Adds one answer's latency to the current detection interval. */
  void recordAnswer(long latencyNanos) {
    windowNanos.addAndGet(latencyNanos);
    windowAnswers.incrementAndGet();
  }

  /**
   * Ends the detection window if it holds at least {@code minimum} answers: returns their mean
   * latency and starts the next window empty. With fewer, returns -1 and keeps them, so an endpoint
   * that gets few requests (a slow one that a load-aware picker seldom chooses, or one just back
   * from an ejection) is judged once it has answered enough, over as many intervals as that takes.
   * An answer racing with this may land in either window.
   */
  double takeWindowMean(int minimum) {
    if (windowAnswers.get() < Math.max(1, minimum)) {
      return -1;
    }
    int answers = windowAnswers.getAndSet(0);
    long nanos = windowNanos.getAndSet(0);
    return answers == 0 ? -1 : (double) nanos / answers;
  }

  /** Forgets the answers of the current window (the endpoint is ejected: they judge nothing). */
  void clearWindow() {
    windowAnswers.set(0);
    windowNanos.set(0);
  }

  /**
   * Ejects for latency until {@code untilNanos}. The peak-EWMA estimate is held where it stands
   * until then rather than left to decay toward zero, so the endpoint comes back costing what it
   * cost when it left, and its probes, not a rush of picks, tell whether it got faster.
   */
  void ejectForLatency(long untilNanos) {
    latencyEjections++;
    latencyEjectedUntilNanos = untilNanos;
    latencyEjected = true;
    latency.updateAndGet(
        e -> e.observed ? new Ewma(e.cost, Math.max(e.stampNanos, untilNanos), true) : e);
  }

  /** Ejections in a row for latency, this one included; 0 when none is being worked off. */
  int latencyEjections() {
    return latencyEjections;
  }

  /** A healthy interval takes one ejection off the count that sets the next ejection's length. */
  void judgedHealthy() {
    if (latencyEjections > 0) {
      latencyEjections--;
    }
  }

  void recordSuccess() {
    consecutiveFailures.set(0);
    if (ejected) {
      ejected = false;
      ejections.set(0);
    }
  }

  /** Counts a failure; ejects when it completes a run of {@code policy.consecutiveFailures()}. */
  void recordFailure(OutlierEjection policy, long nowNanos) {
    if (consecutiveFailures.incrementAndGet() == policy.consecutiveFailures()) {
      consecutiveFailures.set(0);
      ejectedUntilNanos = nowNanos + policy.ejectionNanos(ejections.incrementAndGet());
      ejected = true;
    }
  }

  /** Finagle's peak EWMA: a slower response raises the cost at once, faster ones decay into it. */
  void observeLatency(long rttNanos, long nowNanos, double tauNanos) {
    latency.updateAndGet(
        e -> {
          if (!e.observed) {
            return new Ewma(rttNanos, nowNanos, true);
          }
          double w = weight(e, nowNanos, tauNanos);
          double next = rttNanos > e.cost ? rttNanos : e.cost * w + rttNanos * (1 - w);
          return new Ewma(next, Math.max(nowNanos, e.stampNanos), true);
        });
  }

  /**
   * The latency estimate at {@code nowNanos}: as Finagle reads it, decayed toward zero since the
   * last observation (an idle endpoint gets probed again), without recording the decay.
   */
  double costNanos(long nowNanos, double tauNanos) {
    Ewma e = latency.get();
    return e.observed ? decayed(e, nowNanos, tauNanos) : e.cost;
  }

  private static double weight(Ewma e, long nowNanos, double tauNanos) {
    long elapsed = Math.max(0, nowNanos - e.stampNanos);
    return Math.exp(-elapsed / tauNanos);
  }

  private static double decayed(Ewma e, long nowNanos, double tauNanos) {
    return e.cost * weight(e, nowNanos, tauNanos);
  }
}
