package io.tideflow.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes a node waiting for another node's load of a key when that node's invalidation message for
 * the key arrives, so the wait is usually one message long rather than a polling interval.
 */
final class KeySignals {
  private final ConcurrentHashMap<String, CompletableFuture<Void>> signals =
      new ConcurrentHashMap<>();

  /** The signal for {@code key}; register it before reading Redis so no message is missed. */
  CompletableFuture<Void> register(String key) {
    return signals.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  /** Wakes the waiter for {@code key}, if any (called on Lettuce's event loop). */
  void signal(String key) {
    CompletableFuture<Void> signal = signals.remove(key);
    if (signal != null) {
      signal.complete(null);
    }
  }

  /** Forgets {@code signal} once its waiter is done. */
  void unregister(String key, CompletableFuture<Void> signal) {
    signals.remove(key, signal);
  }
}
