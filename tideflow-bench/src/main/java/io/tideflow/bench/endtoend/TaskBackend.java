package io.tideflow.bench.endtoend;

import java.util.concurrent.CompletableFuture;

/**
 * One system that runs tasks, as the end-to-end harness sees it: something that takes a no-op task,
 * runs it somewhere and reports back. Tideflow, its Hazelcast peer and an in-JVM floor all
 * implement it, so {@link LoadRunner} drives them with the same code.
 *
 * <p>Threading: {@link #submitNoop()} may be called from any thread, and from several at once.
 * {@link #close()} is called once, after every returned future has completed or the harness has
 * given up on them.
 */
public interface TaskBackend extends AutoCloseable {

  /** A short name for tables and progress lines, e.g. {@code hazelcast}. Never null. */
  String name();

  /**
   * Sends one no-op task. The returned future completes when the task's result is back with the
   * caller's side (normally with a {@code null} or ignored value, exceptionally if the task or its
   * transport failed), on whatever thread the backend delivers results on; callbacks attached to it
   * run there, so they must be short.
   *
   * <p>Must not block the caller, except for the backend's own bounded backpressure (a full send
   * window, say); the harness bounds what is in flight itself. Must not return null.
   */
  CompletableFuture<?> submitNoop();

  /** Stops the backend and releases its threads, sockets and memory. Does not throw. */
  @Override
  void close();
}
