package io.tideflow.runtime.provider;

import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.retry.Backoff;
import io.tideflow.store.clock.MonotonicClock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Several providers in priority order: a launch goes to the first healthy one; what it fails to
 * start (errors in its result, or a failed future) goes to the next, and so on. A provider counts
 * as unhealthy when its own {@link NodeProvider#health()} says so or when its last {@code
 * unhealthyAfterFailures} launches through this one all failed. An unhealthy provider is skipped
 * for a while after its last failure here, then the next launch tries it again, which is how a
 * recovered provider is found. How long is a {@link Backoff} ({@link #DEFAULT_RETRY} unless given
 * one): its first delay after the failure that made the provider unhealthy, one step longer after
 * each further failure in a row (a failed retry included), back to the first once a launch through
 * it succeeds. A provider that is unhealthy by its own account but has not failed here is not
 * skipped. When every provider is skipped, all are tried in order rather than none. The time comes
 * from the injected clock.
 *
 * <p>{@link #terminate} routes each id to the provider that started it; {@link #nodes()} is the
 * union; {@link #healths()} shows each provider's health. Closing closes every provider.
 */
public final class MultiProvider implements NodeProvider {
  /**
   * 30 s after a provider turns unhealthy, then 1, 2 and 4 minutes, and every 5 minutes from then
   * on: a provider that is out for long is not probed on every scaling round, and one back within a
   * minute or two is found again about as soon as with a fixed 30 s.
   */
  public static final Backoff DEFAULT_RETRY =
      Backoff.exponential(Duration.ofSeconds(30), Duration.ofMinutes(5));

  private final List<NodeProvider> providers;
  private final int unhealthyAfterFailures;
  private final Map<NodeProvider, HealthTracker> launchHealth = new LinkedHashMap<>();
  private final Map<NodeProvider, Retry> retries = new LinkedHashMap<>();
  private final Map<String, NodeProvider> owners = new ConcurrentHashMap<>();

  /** Null when an unhealthy provider is retried at once (a zero {@code retryAfter}). */
  private final Backoff backoff;

  private final InstantSource clock;
  private final RequestLog<LaunchResult> launches = new RequestLog<>(RequestLog.DEFAULT_CAPACITY);
  private final RequestLog<Void> terminations = new RequestLog<>(RequestLog.DEFAULT_CAPACITY);

  /** Retries an unhealthy provider by {@link #DEFAULT_RETRY}, on the system clock. */
  public MultiProvider(List<NodeProvider> inPriorityOrder, int unhealthyAfterFailures) {
    this(inPriorityOrder, unhealthyAfterFailures, DEFAULT_RETRY, MonotonicClock.system());
  }

  /**
   * Retries an unhealthy provider {@code retryAfter} after its last failure, however many there
   * were: {@link Backoff#fixed}, or at once when {@code retryAfter} is zero.
   */
  public MultiProvider(
      List<NodeProvider> inPriorityOrder,
      int unhealthyAfterFailures,
      Duration retryAfter,
      InstantSource clock) {
    this(inPriorityOrder, unhealthyAfterFailures, clock, fixed(retryAfter));
  }

  /** Retries an unhealthy provider after the delays of {@code retry}, on {@code clock}. */
  public MultiProvider(
      List<NodeProvider> inPriorityOrder,
      int unhealthyAfterFailures,
      Backoff retry,
      InstantSource clock) {
    this(inPriorityOrder, unhealthyAfterFailures, clock, requireRetry(retry));
  }

  /** {@code retryOrNull} null: retried at once. */
  private MultiProvider(
      List<NodeProvider> inPriorityOrder,
      int unhealthyAfterFailures,
      InstantSource clock,
      Backoff retryOrNull) {
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    this.backoff = retryOrNull;
    this.clock = clock;
    if (inPriorityOrder.isEmpty()) {
      throw new IllegalArgumentException("inPriorityOrder must name at least one provider, was []");
    }
    if (unhealthyAfterFailures <= 0) {
      throw new IllegalArgumentException(
          "unhealthyAfterFailures must be > 0, was " + unhealthyAfterFailures);
    }
    this.unhealthyAfterFailures = unhealthyAfterFailures;
    this.providers = List.copyOf(inPriorityOrder);
    for (NodeProvider p : providers) {
      launchHealth.put(p, new HealthTracker(unhealthyAfterFailures));
      retries.put(p, new Retry());
    }
  }

  private static Backoff requireRetry(Backoff retry) {
    if (retry == null) {
      throw new IllegalArgumentException("retry must not be null");
    }
    return retry;
  }

  private static Backoff fixed(Duration retryAfter) {
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must be >= 0, was " + retryAfter);
    }
    return retryAfter.isZero() ? null : Backoff.fixed(retryAfter);
  }

  @Override
  public String name() {
    return "multi(" + String.join(",", providers.stream().map(NodeProvider::name).toList()) + ")";
  }

  @Override
  public CompletableFuture<LaunchResult> launch(
      NodeTemplate template, int count, String requestId) {
    return launches.answer(
        requestId,
        () -> {
          List<NodeProvider> order = candidates();
          return launchFrom(
              order, 0, template, count, requestId, new ArrayList<>(), new ArrayList<>());
        });
  }

  /** Healthy providers, and unhealthy ones due a retry, in priority order; else all. */
  private List<NodeProvider> candidates() {
    Instant now = clock.instant();
    List<NodeProvider> usable =
        providers.stream().filter(p -> health(p).healthy() || dueRetry(p, now)).toList();
    return usable.isEmpty() ? providers : usable;
  }

  private boolean dueRetry(NodeProvider provider, Instant now) {
    return backoff == null || retries.get(provider).due(now, backoff, unhealthyAfterFailures);
  }

  /**
   * A provider's failures in a row through this one and when the last was, which together say when
   * it may be tried again. Its own lock; written when a launch through it ends.
   */
  private static final class Retry {
    private int failures;
    private Instant lastFailure;

    synchronized void failed(Instant at) {
      failures++;
      lastFailure = at;
    }

    synchronized void succeeded() {
      failures = 0;
      lastFailure = null;
    }

    /**
     * Whether it may be tried at {@code now}: the back-off's first delay counts from the failure
     * that made it unhealthy, and each failure after that one adds a step.
     */
    synchronized boolean due(Instant now, Backoff backoff, int unhealthyAfter) {
      if (lastFailure == null) {
        return true;
      }
      int step = Math.max(1, failures - unhealthyAfter + 1);
      return !now.isBefore(lastFailure.plus(backoff.delay(step)));
    }
  }

  private CompletableFuture<LaunchResult> launchFrom(
      List<NodeProvider> order,
      int index,
      NodeTemplate template,
      int remaining,
      String requestId,
      List<String> started,
      List<String> errors) {
    if (remaining == 0 || index == order.size()) {
      return CompletableFuture.completedFuture(
          new LaunchResult(requestId, started, remaining == 0 ? List.of() : errors));
    }
    NodeProvider provider = order.get(index);
    return provider
        .launch(template, remaining, requestId + "@" + provider.name())
        .handle(
            (result, error) -> {
              HealthTracker tracker = launchHealth.get(provider);
              if (error != null || !result.ok()) {
                retries.get(provider).failed(clock.instant());
              } else {
                retries.get(provider).succeeded();
              }
              if (error != null) {
                tracker.failure("launch failed: " + error.getMessage());
                errors.add(provider.name() + ": " + error.getMessage());
                return 0;
              }
              result.started().forEach(id -> owners.put(id, provider));
              started.addAll(result.started());
              if (result.ok()) {
                tracker.success();
              } else {
                tracker.failure(result.errors().get(0));
                result.errors().forEach(e -> errors.add(provider.name() + ": " + e));
              }
              return result.started().size();
            })
        .thenCompose(
            n -> launchFrom(order, index + 1, template, remaining - n, requestId, started, errors));
  }

  @Override
  public CompletableFuture<Void> terminate(Collection<String> nodeIds, String requestId) {
    List<String> ids = List.copyOf(nodeIds);
    return terminations.answer(
        requestId,
        () -> {
          Map<NodeProvider, List<String>> byOwner = new LinkedHashMap<>();
          for (String id : ids) {
            NodeProvider owner = owners.computeIfAbsent(id, this::findOwner);
            if (owner != null) {
              byOwner.computeIfAbsent(owner, p -> new ArrayList<>()).add(id);
            }
          }
          List<CompletableFuture<Void>> done = new ArrayList<>();
          byOwner.forEach(
              (p, own) ->
                  done.add(
                      p.terminate(own, requestId + "@" + p.name())
                          .thenRun(() -> own.forEach(owners::remove))));
          return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
        });
  }

  /** The provider listing {@code id}, for nodes started before this one knew of them. */
  private NodeProvider findOwner(String id) {
    for (NodeProvider p : providers) {
      if (p.nodes().stream().anyMatch(n -> n.nodeId().equals(id))) {
        return p;
      }
    }
    return null;
  }

  /** Each provider takes on the nodes of its own kind; each adopted node is routed to it. */
  @Override
  public List<String> adopt(NodeTemplate template, List<NodeInfo> registered, NodeStopper stopper) {
    List<String> taken = new ArrayList<>();
    for (NodeProvider p : providers) {
      for (String id : p.adopt(template, registered, stopper)) {
        owners.put(id, p);
        taken.add(id);
      }
    }
    return taken;
  }

  @Override
  public List<ProvidedNode> nodes() {
    List<ProvidedNode> all = new ArrayList<>();
    providers.forEach(p -> all.addAll(p.nodes()));
    return all;
  }

  /** Healthy when at least one provider is. */
  @Override
  public ProviderHealth health() {
    Map<String, ProviderHealth> each = healths();
    long healthy = each.values().stream().filter(ProviderHealth::healthy).count();
    int failures = each.values().stream().mapToInt(ProviderHealth::consecutiveFailures).sum();
    return new ProviderHealth(
        healthy > 0, failures, healthy + " of " + each.size() + " providers healthy: " + each);
  }

  /** Each provider's health by name, in priority order. */
  public Map<String, ProviderHealth> healths() {
    Map<String, ProviderHealth> each = new LinkedHashMap<>();
    providers.forEach(p -> each.put(p.name(), health(p)));
    return each;
  }

  /** The provider's own health, made unhealthy by launch failures seen here. */
  private ProviderHealth health(NodeProvider provider) {
    ProviderHealth own = provider.health();
    ProviderHealth seen = launchHealth.get(provider).health();
    if (!own.healthy()) {
      return own;
    }
    return seen;
  }

  @Override
  public void release() {
    providers.forEach(NodeProvider::release);
  }

  @Override
  public void close() {
    providers.forEach(NodeProvider::close);
  }
}
