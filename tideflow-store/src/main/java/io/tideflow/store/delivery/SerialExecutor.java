package io.tideflow.store.delivery;

import java.lang.System.Logger.Level;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in the order they were submitted, on a delegate executor. Stores use
 * one per watch so that its listener is called serially and in revision order, without holding a
 * thread while the watch is idle. {@link #execute} never blocks and never runs the task on the
 * caller's thread, so it may be called while holding a lock.
 */
public final class SerialExecutor implements Executor {
  private static final System.Logger LOG = System.getLogger(SerialExecutor.class.getName());

  private final Executor delegate;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  public SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (draining.compareAndSet(false, true)) {
      delegate.execute(this::drain);
    }
  }

  private void drain() {
    try {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        runGuarded(task);
      }
    } finally {
      draining.set(false);
      if (!tasks.isEmpty()) {
        scheduleDrain();
      }
    }
  }

  private static void runGuarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      // A failing listener must not stop the tasks queued behind it; the failure is its bug.
      LOG.log(Level.WARNING, "store callback failed", e);
    }
  }
}
