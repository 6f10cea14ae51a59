/**
 * Which endpoint serves a request: the {@link io.tideflow.core.balance.Balancer} SPI, split as gRPC
 * splits LoadBalancer (control path: endpoint set and health, serialized) from SubchannelPicker
 * ({@link io.tideflow.core.balance.Picker}: immutable, lock-free, any thread). Round-robin,
 * least-loaded, power-of-two-choices over peak-EWMA latency, and consistent hashing with bounded
 * loads; all skip unhealthy endpoints and eject those failing repeatedly ({@link
 * io.tideflow.core.balance.OutlierEjection}) and, when configured, those much slower than their
 * peers ({@link io.tideflow.core.balance.LatencyOutlierEjection}). Time is the caller's nanos,
 * never a clock.
 */
package io.tideflow.core.balance;
