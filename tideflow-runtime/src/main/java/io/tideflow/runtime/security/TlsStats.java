package io.tideflow.runtime.security;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the TLS of one process has done: handshakes by side and key-exchange group, peers refused,
 * reloads. Read by metrics and {@code status}; written from the TLS event loops without locks.
 */
public final class TlsStats {
  private final ConcurrentHashMap<String, LongAdder> handshakes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> refused = new ConcurrentHashMap<>();
  private final LongAdder reloads = new LongAdder();
  private final LongAdder reloadFailures = new LongAdder();
  private volatile String lastGroup = NegotiatedGroup.UNKNOWN;

  void handshake(String side, String group) {
    handshakes.computeIfAbsent(side + "/" + group, k -> new LongAdder()).increment();
    lastGroup = group;
  }

  void refused(String side) {
    refused.computeIfAbsent(side, k -> new LongAdder()).increment();
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
