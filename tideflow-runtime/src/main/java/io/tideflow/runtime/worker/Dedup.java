package io.tideflow.runtime.worker;

import io.tideflow.runtime.transport.proto.ResultMessage;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Results by (handler, idempotency key), at most {@code capacity} entries. An entry whose task
 * still runs is never evicted, since a retry arriving meanwhile must wait for that run rather than
 * start a second one; only finished entries are evicted, least recently finished first. When the
 * running entries alone fill the bound, a new keyed task is not remembered and runs without dedup.
 * One lock, used for nothing else and never held while a result is handed on.
 */
final class Dedup {
  /** What dedup is scoped to: the same key on two handlers names two different tasks. */
  record Key(String handler, String key) {}

  /** The outcome of {@link #claim}: an earlier run to reuse, or whether this run is remembered. */
  record Claim(CompletableFuture<ResultMessage> earlier, boolean claimed) {}

  private static final Claim CLAIMED = new Claim(null, true);
  private static final Claim FULL = new Claim(null, false);

  private final int capacity;
  private final Map<Key, CompletableFuture<ResultMessage>> running = new HashMap<>();

  /** In the order they finished; the eldest is evicted first. */
  private final Map<Key, CompletableFuture<ResultMessage>> finished = new LinkedHashMap<>();

  Dedup(int capacity) {
    this.capacity = capacity;
  }

  synchronized Claim claim(Key key, CompletableFuture<ResultMessage> value) {
    CompletableFuture<ResultMessage> earlier = running.get(key);
    if (earlier == null) {
      earlier = finished.get(key);
    }
    if (earlier != null) {
      return new Claim(earlier, false);
    }
    if (running.size() + finished.size() >= capacity) {
      Iterator<CompletableFuture<ResultMessage>> eldest = finished.values().iterator();
      if (!eldest.hasNext()) {
        return FULL;
      }
      eldest.next();
      eldest.remove();
    }
    running.put(key, value);
    return CLAIMED;
  }

  /** Moves a run's entry from running to finished, where it may be evicted. */
  synchronized void finish(Key key, CompletableFuture<ResultMessage> value) {
    if (running.remove(key, value)) {
      finished.put(key, value);
    }
  }

  /** Forgets a run that did not produce a result to reuse. */
  synchronized void remove(Key key, CompletableFuture<ResultMessage> value) {
    running.remove(key, value);
  }

  synchronized int size() {
    return running.size() + finished.size();
  }
}
