package io.tideflow.runtime.security;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the TLS of one process has done: handshakes by side and key-exchange group, peers refused,
 * reloads. Read by metrics and {@code status}; written from the TLS event loops without locks.
 */
public final class TlsStats {
  private final ConcurrentHashMap<String, LongAdder> handshakes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> refused = new ConcurrentHashMap<>();
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final LongAdder reloads = new LongAdder();
  private final LongAdder reloadFailures = new LongAdder();
  private volatile String lastGroup = NegotiatedGroup.UNKNOWN;

  void handshake(String side, String group) {
    String key = side + "/" + group;
    LongAdder count = handshakes.computeIfAbsent(key, k -> new LongAdder());
    count.increment();
    // Registering is idempotent, and bindTo registers what exists: whichever runs second sees
    // the other, so no counter is missed. Handshakes are once per link, so this is rare.
    registries.forEach(r -> registerHandshakes(r, key, count));
    lastGroup = group;
  }

  void refused(String side) {
    LongAdder count = refused.computeIfAbsent(side, k -> new LongAdder());
    count.increment();
    registries.forEach(r -> registerRefusals(r, side, count));
  }

  /**
   * Publishes the counts in {@code registry}: {@code tideflow.tls.handshakes{side,group}}, {@code
   * tideflow.tls.refused{side}}, {@code tideflow.tls.reloads{outcome}}. A group is one of the few
   * the stack offers, so the tags stay few.
   */
  void bindTo(MeterRegistry registry) {
    registries.add(registry);
    handshakes.forEach((key, count) -> registerHandshakes(registry, key, count));
    refused.forEach((side, count) -> registerRefusals(registry, side, count));
    FunctionCounter.builder("tideflow.tls.reloads", reloads, LongAdder::sum)
        .tag("outcome", "applied")
        .description("Times changed certificate files were read and put in use")
        .register(registry);
    FunctionCounter.builder("tideflow.tls.reloads", reloadFailures, LongAdder::sum)
        .tag("outcome", "failed")
        .description("Times changed certificate files could not be used; the old stayed")
        .register(registry);
  }

  private static void registerHandshakes(MeterRegistry registry, String key, LongAdder count) {
    int slash = key.indexOf('/');
    FunctionCounter.builder("tideflow.tls.handshakes", count, LongAdder::sum)
        .tag("side", key.substring(0, slash))
        .tag("group", key.substring(slash + 1))
        .description("Peers accepted, by this end's side and the key-exchange group agreed")
        .register(registry);
  }

  private static void registerRefusals(MeterRegistry registry, String side, LongAdder count) {
    FunctionCounter.builder("tideflow.tls.refused", count, LongAdder::sum)
        .tag("side", side)
        .description("Peers refused: untrusted, expired, or not the node the registry named")
        .register(registry);
  }

  void reloaded() {
    reloads.increment();
  }

  void reloadFailed() {
    reloadFailures.increment();
  }

  /** Peers accepted, by {@code side/group}: side is {@code client} or {@code server}. */
  public Map<String, Long> handshakes() {
    return snapshot(handshakes);
  }

  /** Peers refused, by side. */
  public Map<String, Long> refused() {
    return snapshot(refused);
  }

  /** The key-exchange group of the newest accepted handshake. */
  public String lastGroup() {
    return lastGroup;
  }

  public long reloads() {
    return reloads.sum();
  }

  public long reloadFailures() {
    return reloadFailures.sum();
  }

  private static Map<String, Long> snapshot(ConcurrentHashMap<String, LongAdder> counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
