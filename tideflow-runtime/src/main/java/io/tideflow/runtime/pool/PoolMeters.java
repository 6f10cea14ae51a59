package io.tideflow.runtime.pool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.runtime.provider.ProviderHealth;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A pool's meters, tagged {@code pool}: its size, desired size and bounds, whether it is at its
 * ceiling, the tasks waiting for its kind of node, its providers' health, and its decisions by
 * policy and direction. A gauge reads NaN while the pool does not run here (this coordinator does
 * not lead), so a rule on it neither fires nor resolves from a standby's view.
 */
final class PoolMeters implements AutoCloseable {
  /** What the meters read from the running pool; each call is cheap and does not block. */
  interface Readings {
    /** Nodes the pool's providers hold, -1 while it does not run. */
    int nodes();

    /** What the last decision asked for, -1 before the first. */
    int desired();

    /** Tasks waiting for this pool's kind of node, -1 when not followed. */
    int waiting();

    /** The providers' health by name, empty while the pool does not run. */
    Map<String, ProviderHealth> providers();
  }

  private final MeterRegistry registry;
  private final String pool;
  private final Readings readings;
  private final CopyOnWriteArrayList<Meter> meters = new CopyOnWriteArrayList<>();
  private final Map<String, Boolean> providerGauges = new ConcurrentHashMap<>();

  PoolMeters(MeterRegistry registry, PoolSpec spec, Readings readings) {
    this.registry = registry;
    this.pool = spec.name();
    this.readings = readings;
    gauge("tideflow.pool.nodes", "Nodes the pool holds", r -> known(r.nodes()));
    gauge(
        "tideflow.pool.nodes.desired",
        "Nodes its last decision asked for",
        r -> known(r.desired()));
    gauge("tideflow.pool.nodes.min", "The pool's floor", r -> spec.limits().min());
    gauge("tideflow.pool.nodes.max", "The pool's ceiling", r -> spec.limits().max());
    gauge(
        "tideflow.pool.at.max",
        "1 while the pool holds its ceiling of nodes, 0 below it",
        r -> r.nodes() < 0 ? Double.NaN : r.nodes() >= spec.limits().max() ? 1 : 0);
    gauge(
        "tideflow.pool.waiting.tasks",
        "Tasks waiting because no node has room, that a node of this pool would take",
        r -> known(r.waiting()));
  }

  private static double known(int v) {
    return v < 0 ? Double.NaN : v;
  }

  private void gauge(String name, String description, ToDoubleFunction<Readings> value) {
    meters.add(
        Gauge.builder(name, readings, value)
            .tag("pool", pool)
            .description(description)
            .register(registry));
  }

  /** Adds a health gauge for each provider not seen before (the pool makes them when it starts). */
  void providers(Supplier<Map<String, ProviderHealth>> now) {
    for (String name : now.get().keySet()) {
      if (providerGauges.putIfAbsent(name, true) == null) {
        meters.add(
            Gauge.builder(
                    "tideflow.pool.provider.healthy",
                    readings,
                    r -> {
                      ProviderHealth h = r.providers().get(name);
                      return h == null ? Double.NaN : h.healthy() ? 1 : 0;
                    })
                .tag("pool", pool)
                .tag("provider", name)
                .description("1 while the provider launches nodes, 0 while failover skips it")
                .register(registry));
      }
    }
  }

  /** Counts {@code d} by its policy and which way it went. */
  void decided(DecisionRecord d) {
    String direction =
        d.desired() > d.current() ? "up" : d.desired() < d.current() ? "down" : "hold";
    Counter c =
        Counter.builder("tideflow.pool.decisions")
            .tag("pool", pool)
            .tag("policy", d.policy())
            .tag("direction", direction)
            .description("The pool's scaling decisions, by policy and direction")
            .register(registry);
    meters.addIfAbsent(c);
    c.increment();
  }

  @Override
  public void close() {
    for (Meter m : meters) {
      registry.remove(m);
    }
    meters.clear();
  }
}
