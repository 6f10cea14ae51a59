package io.tideflow.runtime.provider;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider whose every launch fails, as a cloud out of capacity would, until told it {@link
 * #recovered}; counts its launches.
 */
final class FailingProvider implements NodeProvider {
  private final String name;
  private final HealthTracker health = new HealthTracker(3);
  final AtomicInteger launches = new AtomicInteger();
  private volatile boolean failing = true;

  FailingProvider(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  /** From now on launches start what they are asked for (or fail again, if {@code false}). */
  void recovered(boolean value) {
    failing = !value;
  }

  @Override
  public CompletableFuture<LaunchResult> launch(
      NodeTemplate template, int count, String requestId) {
    int n = launches.incrementAndGet();
    if (!failing) {
      List<String> started = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        started.add(name + "-" + n + "-" + i);
      }
      health.success();
      return CompletableFuture.supplyAsync(() -> new LaunchResult(requestId, started, List.of()));
    }
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      errors.add(name + ": no capacity for " + template.name());
    }
    health.failure(name + ": no capacity");
    return CompletableFuture.supplyAsync(() -> new LaunchResult(requestId, List.of(), errors));
  }

  @Override
  public CompletableFuture<Void> terminate(Collection<String> nodeIds, String requestId) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public List<ProvidedNode> nodes() {
    return List.of();
  }

  @Override
  public ProviderHealth health() {
    return health.health();
  }

  @Override
  public void close() {
    // Holds nothing.
  }
}
