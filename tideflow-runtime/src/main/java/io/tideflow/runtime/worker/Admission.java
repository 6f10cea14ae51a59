package io.tideflow.runtime.worker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How much work a worker has taken and not yet let go of: tasks queued or running (a timed-out task
 * whose handler still runs included, since it still holds its payload and its thread), and their
 * payload bytes. A task beyond either limit is refused at once rather than queued, so an overloaded
 * worker answers in microseconds and its heap stays bounded by the limits, not by what clients
 * send. Lock-free; any thread.
 */
final class Admission {
  private final int maxTasks;
  private final long maxBytes;
  private final AtomicInteger tasks = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  Admission(int maxTasks, long maxBytes) {
    if (maxTasks <= 0) {
      throw new IllegalArgumentException("maxTasks must be > 0, was " + maxTasks);
    }
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be > 0, was " + maxBytes);
    }
    this.maxTasks = maxTasks;
    this.maxBytes = maxBytes;
  }

  /**
   * Takes a task of {@code payloadBytes}; null when it was taken, otherwise which limit refused it
   * as a sentence. A task taken must be {@link #release released} exactly once.
   */
  String tryAdmit(int payloadBytes) {
    int n = tasks.incrementAndGet();
    if (n > maxTasks) {
      tasks.decrementAndGet();
      return "worker overloaded: " + maxTasks + " tasks admitted already (maxAdmittedTasks)";
    }
    long b = bytes.addAndGet(payloadBytes);
    // A lone task always fits (the config keeps maxBytes >= the largest payload), so a big task
    // is turned back only while others hold the bytes.
    if (b > maxBytes && b != payloadBytes) {
      bytes.addAndGet(-payloadBytes);
      tasks.decrementAndGet();
      return "worker overloaded: "
          + (b - payloadBytes)
          + " payload bytes admitted already, a task of "
          + payloadBytes
          + " would pass the limit of "
          + maxBytes
          + " (maxAdmittedBytes)";
    }
    return null;
  }

  void release(int payloadBytes) {
    bytes.addAndGet(-payloadBytes);
    tasks.decrementAndGet();
  }

  int tasks() {
    return tasks.get();
  }

  long bytes() {
    return bytes.get();
  }
}
