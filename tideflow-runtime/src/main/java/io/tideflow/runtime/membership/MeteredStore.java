package io.tideflow.runtime.membership;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import io.tideflow.store.Lease;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A store whose requests are timed: {@code tideflow.store.requests} tagged {@code op} (get, put,
 * list, cas, delete, lease, campaign, leader) and {@code outcome} (ok, error), the latency from the
 * call to its answer. Watches are long-lived streams, not requests: their health is {@code
 * tideflow.membership.watch.*}.
 */
public final class MeteredStore implements ClusterStore {
  private final ClusterStore store;
  private final MeterRegistry registry;

  private MeteredStore(ClusterStore store, MeterRegistry registry) {
    this.store = store;
    this.registry = registry;
  }

  public static ClusterStore wrap(ClusterStore store, MeterRegistry registry) {
    return new MeteredStore(store, registry);
  }

  private <T> CompletableFuture<T> timed(String op, Supplier<CompletableFuture<T>> call) {
    long start = System.nanoTime();
    CompletableFuture<T> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      record(op, "error", start);
      throw e;
    }
    f.whenComplete((v, e) -> record(op, e == null ? "ok" : "error", start));
    return f;
  }

  private void record(String op, String outcome, long start) {
    Timer.builder("tideflow.store.requests")
        .tag("op", op)
        .tag("outcome", outcome)
        .description("Requests to the cluster store, from the call to the answer")
        .publishPercentileHistogram()
        .register(registry)
        .record(Duration.ofNanos(System.nanoTime() - start));
  }

  @Override
  public CompletableFuture<Lease> grantLease(Duration ttl) {
    return timed("lease", () -> store.grantLease(ttl));
  }

  @Override
  public CompletableFuture<Long> put(String key, byte[] value, long leaseId) {
    return timed("put", () -> store.put(key, value, leaseId));
  }

  @Override
  public CompletableFuture<Optional<KeyValue>> get(String key) {
    return timed("get", () -> store.get(key));
  }

  @Override
  public CompletableFuture<Snapshot> list(String prefix) {
    return timed("list", () -> store.list(prefix));
  }

  @Override
  public CompletableFuture<Boolean> compareAndSet(
      String key, long expectedModRevision, byte[] value, long leaseId) {
    return timed("cas", () -> store.compareAndSet(key, expectedModRevision, value, leaseId));
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    return timed("delete", () -> store.delete(key));
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    return store.watch(prefix, fromRevision, listener);
  }

  @Override
  public CompletableFuture<Leadership> campaign(String election, String candidate, Lease lease) {
    return timed("campaign", () -> store.campaign(election, candidate, lease));
  }

  @Override
  public CompletableFuture<Optional<LeaderInfo>> leader(String election) {
    return timed("leader", () -> store.leader(election));
  }

  @Override
  public void close() {
    store.close();
  }
}
