package io.tideflow.runtime.worker;

import io.tideflow.runtime.transport.proto.ResultMessage;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Results by (handler, idempotency key), at most {@code capacity} entries. An entry whose task
 * still runs is never evicted, since a retry arriving meanwhile must wait for that run rather than
 * start a second one; only finished entries are evicted, least recently finished first. When the
 * running entries alone fill the bound, a new keyed task is not remembered and runs without dedup.
 * One lock, used for nothing else and never held while a result is handed on.
 *
 * <p>Only {@link #claim} (on the gRPC event loop) and {@link #size} take the lock. {@link #finish}
 * and {@link #remove} come from the virtual threads that run tasks, so they only queue what they
 * did, lock-free, and the next holder of the lock applies it before anything else: the event loop
 * must never wait for the lock behind a virtual thread that is woken but not run (see {@link
 * io.tideflow.runtime.transport.WriteLoop}). What is queued is at most one entry per running task,
 * so it stays within {@code capacity}; a claim sees every finish and remove queued before it began.
 */
final class Dedup {
  /** What dedup is scoped to: the same key on two handlers names two different tasks. */
  record Key(String handler, String key) {}

  /** The outcome of {@link #claim}: an earlier run to reuse, or whether this run is remembered. */
  record Claim(CompletableFuture<ResultMessage> earlier, boolean claimed) {}

  private static final Claim CLAIMED = new Claim(null, true);
  private static final Claim FULL = new Claim(null, false);

  /** A run that ended, as {@link #finish} or {@link #remove} queued it. */
  private record Ended(Key key, CompletableFuture<ResultMessage> value, boolean reusable) {}

  private final int capacity;
  private final ConcurrentLinkedQueue<Ended> ended = new ConcurrentLinkedQueue<>();
  private final Map<Key, CompletableFuture<ResultMessage>> running = new HashMap<>();

  /** In the order they finished; the eldest is evicted first. */
  private final Map<Key, CompletableFuture<ResultMessage>> finished = new LinkedHashMap<>();

  Dedup(int capacity) {
    this.capacity = capacity;
  }

  synchronized Claim claim(Key key, CompletableFuture<ResultMessage> value) {
    applyEnded();
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

  /** Moves a run's entry from running to finished, where it may be evicted. Never blocks. */
  void finish(Key key, CompletableFuture<ResultMessage> value) {
    ended.add(new Ended(key, value, true));
  }

  /** Forgets a run that did not produce a result to reuse. Never blocks. */
  void remove(Key key, CompletableFuture<ResultMessage> value) {
    ended.add(new Ended(key, value, false));
  }

  synchronized int size() {
    applyEnded();
    return running.size() + finished.size();
  }

  /** Under the lock: what finish and remove queued, in their order. */
  private void applyEnded() {
    Ended e;
    while ((e = ended.poll()) != null) {
      if (running.remove(e.key(), e.value()) && e.reusable()) {
        finished.put(e.key(), e.value());
      }
    }
  }
}
