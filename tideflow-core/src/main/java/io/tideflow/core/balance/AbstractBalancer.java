package io.tideflow.core.balance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control path and feedback shared by the balancers: keeps statistics by endpoint id across
 * updates, drops unhealthy endpoints from the picker, and applies outlier ejection (for failures,
 * and for latency when a {@link LatencyOutlierEjection} is enabled). Subclasses say only how a
 * picker chooses among the usable endpoints.
 */
abstract class AbstractBalancer implements Balancer {
  private final OutlierEjection ejection;

  /** Null when latency ejection is off, so answers cost nothing extra. */
  private final LatencyOutlierDetector latencyDetector;

  private final double tauNanos;
  private final long initialCostNanos;

  /** Requests in flight over all endpoints, for balancers that compare with the average. */
  protected final AtomicLong totalInFlight = new AtomicLong();

  private volatile Map<String, EndpointStats> stats = Map.of();
  private volatile EndpointStats[] usable = new EndpointStats[0];
  private volatile Picker picker = (key, now) -> new PickResult.NoEndpoint("no endpoints");

  AbstractBalancer(OutlierEjection ejection, long decayNanos, long initialCostNanos) {
    this(ejection, LatencyOutlierEjection.NONE, decayNanos, initialCostNanos);
  }

  AbstractBalancer(
      OutlierEjection ejection,
      LatencyOutlierEjection latencyEjection,
      long decayNanos,
      long initialCostNanos) {
    if (ejection == null) {
      throw new IllegalArgumentException("ejection must not be null");
    }
    if (latencyEjection == null) {
      throw new IllegalArgumentException(
          "latencyEjection must not be null (LatencyOutlierEjection.NONE turns it off)");
    }
    if (decayNanos <= 0) {
      throw new IllegalArgumentException("decayNanos must be > 0, was " + decayNanos);
    }
    if (initialCostNanos < 0) {
      throw new IllegalArgumentException("initialCostNanos must be >= 0, was " + initialCostNanos);
    }
    this.ejection = ejection;
    this.latencyDetector =
        latencyEjection.enabled() ? new LatencyOutlierDetector(latencyEjection) : null;
    this.tauNanos = decayNanos;
    this.initialCostNanos = initialCostNanos;
  }

  @Override
  public final void updateEndpoints(List<Endpoint> endpoints) {
    Map<String, EndpointStats> old = stats;
    Map<String, EndpointStats> next = new HashMap<>();
    List<EndpointStats> usable = new ArrayList<>();
    for (Endpoint e : endpoints) {
      EndpointStats s = old.get(e.id());
      s = s != null && s.endpoint.equals(e) ? s : carryOver(s, e);
      if (next.put(e.id(), s) != null) {
        throw new IllegalArgumentException(
            "endpoints must have unique ids, '" + e.id() + "' repeats");
      }
      if (e.healthy()) {
        usable.add(s);
      }
    }
    for (Map.Entry<String, EndpointStats> gone : old.entrySet()) {
      if (!next.containsKey(gone.getKey())) {
        totalInFlight.addAndGet(-gone.getValue().inFlight());
      }
    }
    usable.sort((a, b) -> a.endpoint.id().compareTo(b.endpoint.id()));
    stats = Map.copyOf(next);
    EndpointStats[] sorted = usable.toArray(EndpointStats[]::new);
    this.usable = sorted; // read-only from here on: pickers and the latency detector share it
    picker =
        usable.isEmpty()
            ? (key, now) ->
                new PickResult.NoEndpoint("no healthy endpoint among " + endpoints.size())
            : newPicker(sorted);
  }

  /** The address or health changed: keep what was learned by moving it to a new stats object. */
  private EndpointStats carryOver(EndpointStats previous, Endpoint e) {
    EndpointStats s = new EndpointStats(e, initialCostNanos);
    if (previous != null) {
      for (int i = previous.inFlight(); i > 0; i--) {
        s.started();
      }
    }
    return s;
  }

  /** Builds the picker over the usable endpoints, sorted by id; called on the control path. */
  abstract Picker newPicker(EndpointStats[] usable);

  @Override
  public final Picker picker() {
    return picker;
  }

  @Override
  public final void onResult(String endpointId, long latencyNanos, boolean success, long nowNanos) {
    EndpointStats s = stats.get(endpointId);
    if (s == null) {
      return; // the endpoint left the set while the request was out; nothing to learn
    }
    if (s.finished()) {
      totalInFlight.decrementAndGet();
    }
    if (success) {
      s.observeLatency(latencyNanos, nowNanos, tauNanos);
      s.recordSuccess();
      if (latencyDetector != null) {
        latencyDetector.onAnswer(s, latencyNanos, usable, nowNanos);
      }
    } else {
      s.recordFailure(ejection, nowNanos);
    }
  }

  final double tauNanos() {
    return tauNanos;
  }

  /** Counts the request on {@code s} and returns the result naming it. */
  final PickResult choose(EndpointStats s) {
    s.started();
    totalInFlight.incrementAndGet();
    return new PickResult.Chosen(s.endpoint);
  }

  static PickResult allEjected(int n) {
    return new PickResult.NoEndpoint(
        "all " + n + " healthy endpoint(s) are ejected after consecutive failures");
  }
}
