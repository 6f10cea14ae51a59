package io.tideflow.runtime.client;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's two bounds on what it holds: tasks waiting to be sent ({@link
 * ClientConfig#maxPending()}) and payload bytes of tasks not yet answered, waiting or in flight
 * ({@link ClientConfig#maxPendingBytes()}), since a payload is kept until its answer to be sent
 * again. A submit beyond either fails at once. Lock-free; any thread.
 */
final class PendingBudget {
  private final int maxTasks;
  private final long maxBytes;
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  PendingBudget(ClientConfig config) {
    this.maxTasks = config.maxPending();
    this.maxBytes = config.maxPendingBytes();
  }

  /** Takes a new task of {@code size} payload bytes; null when taken, otherwise why not. */
  String reserve(int size) {
    if (waiting.incrementAndGet() > maxTasks) {
      waiting.decrementAndGet();
      return "submit queue full: "
          + maxTasks
          + " tasks already wait to be sent (ClientConfig.maxPending)";
    }
    long b = bytes.addAndGet(size);
    if (b > maxBytes) {
      bytes.addAndGet(-size);
      waiting.decrementAndGet();
      return "submit queue full: "
          + (b - size)
          + " payload bytes are held by tasks not yet answered, and a task of "
          + size
          + " would pass the limit of "
          + maxBytes
          + " (ClientConfig.maxPendingBytes)";
    }
    return null;
  }

  /** A waiting task was sent, or left the queues otherwise. */
  void dequeued() {
    waiting.decrementAndGet();
  }

  /** A task waits again (a retry). */
  void requeued() {
    waiting.incrementAndGet();
  }

  /** A task was answered: its payload is let go. */
  void answered(int size) {
    bytes.addAndGet(-size);
  }

  int waiting() {
    return waiting.get();
  }

  long bytes() {
    return bytes.get();
  }
}
