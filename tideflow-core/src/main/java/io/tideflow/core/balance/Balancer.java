package io.tideflow.core.balance;

import java.util.List;

/**
 * Chooses one endpoint of several for each request or message and learns from outcomes, split as
 * gRPC splits {@code LoadBalancer} from {@code SubchannelPicker}.
 *
 * <p><b>Control path.</b> {@link #updateEndpoints} is called when the endpoint set or health
 * changes (the node registry watch, a health checker). Calls must be serialized by the caller (one
 * thread, or one lock used for nothing else); each builds a new immutable {@link Picker} and
 * publishes it. It may take time proportional to the endpoints (a hash ring is rebuilt); it never
 * blocks.
 *
 * <p><b>Fast path.</b> {@link #picker()} returns the current picker with a volatile read; any
 * thread calls {@link Picker#pick} on it without locks.
 *
 * <p><b>Feedback.</b> {@link #onResult} is called from any thread, exactly once for each pick that
 * chose an endpoint, when its outcome is known. It updates per-endpoint atomics (in flight, latency
 * estimate, consecutive failures) that pickers read; an endpoint failing {@link
 * OutlierEjection#consecutiveFailures()} times in a row is skipped until its back-off runs out,
 * and, where a balancer is given a {@link LatencyOutlierEjection}, so is one answering much more
 * slowly than its peers (judged by the thread whose result ends an interval, in O(endpoints)).
 *
 * <p>No method reads a clock: times are the caller's monotonic nanos (the client's monotonic clock;
 * tests and the JMH benchmark pass a counter they advance themselves). Unhealthy and ejected
 * endpoints are never chosen; when no endpoint is left a pick returns {@link
 * PickResult.NoEndpoint}.
 */
public interface Balancer {

  /** Replaces the endpoint set; statistics of endpoints that remain (by id) are kept. */
  void updateEndpoints(List<Endpoint> endpoints);

  /**
   * The current picker; never null (with no endpoints it returns {@link PickResult.NoEndpoint}).
   */
  Picker picker();

  /**
   * Reports how a request to {@code endpointId} ended; results for endpoints no longer in the set
   * are ignored.
   *
   * @param latencyNanos how long it took
   * @param success false for an error that counts against the endpoint (not for the caller's own
   *     cancellation)
   * @param nowNanos the caller's monotonic time when the result arrived
   */
  void onResult(String endpointId, long latencyNanos, boolean success, long nowNanos);
}
