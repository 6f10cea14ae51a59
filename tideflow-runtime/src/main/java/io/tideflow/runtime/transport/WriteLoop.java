package io.tideflow.runtime.transport;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One platform thread that runs what it is handed, in the order handed, and optionally one task
 * every {@code period}: the one writer of a set of gRPC streams. Work is handed over without a lock
 * (a lock-free queue and an unpark), so no thread that hands work here can ever wait for another
 * that does.
 *
 * <p>That is the point of this class over a {@code ThreadPoolExecutor}, whose queue takes a lock on
 * every hand-off. Task threads are virtual, and a virtual thread that blocks on a lock gives up its
 * carrier; when the lock is free, it is woken, but under CPU-bound load it may not be run again for
 * seconds, because the carriers keep running the virtual threads in their own queues first. Every
 * thread queued behind it on the lock waits as long: measured with JFR under overload, the gRPC
 * event loops waited up to 3.4 s on such a lock, so the "overloaded" answers they had already
 * decided went out seconds late. Here, a hand-off from a virtual thread never blocks, and the event
 * loops never queue behind one.
 *
 * <p>A task that throws is logged and the loop goes on. {@link #shutdown} runs what was handed
 * before it and then ends the thread; {@link #shutdownNow} drops it. After either, {@link #execute}
 * throws {@link RejectedExecutionException}.
 */
public final class WriteLoop implements Executor {
  private static final Logger LOG = Logger.getLogger(WriteLoop.class.getName());

  private static final int RUNNING = 0;
  private static final int SHUTDOWN = 1;
  private static final int STOPPED = 2;

  private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger state = new AtomicInteger(RUNNING);
  private final Thread thread;

  /** Set before the thread starts, read only by it. */
  private Runnable periodic;

  private long periodNanos = Long.MAX_VALUE;

  /** Whether the thread is (about to be) parked, so a hand-off must wake it. */
  private volatile boolean sleeping;

  /**
   * A loop whose thread is yet to be started; what is handed to it meanwhile waits for {@link
   * #start}.
   */
  public WriteLoop(String threadName) {
    this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this::loop);
  }

  /** Starts the thread, with no periodic task. */
  public WriteLoop start() {
    thread.start();
    return this;
  }

  /**
   * Starts the thread, which also runs {@code periodic} every {@code period}, between the tasks
   * handed to it (on time even while tasks keep coming).
   */
  public WriteLoop start(Runnable periodic, Duration period) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be > 0, was " + period);
    }
    this.periodic = periodic;
    this.periodNanos = period.toNanos();
    thread.start();
    return this;
  }

  /**
   * Hands {@code task} to the loop; never blocks.
   *
   * @throws RejectedExecutionException once the loop is shut down
   */
  @Override
  public void execute(Runnable task) {
    if (state.get() != RUNNING) {
      throw rejected();
    }
    inbox.add(task);
    if (state.get() != RUNNING && inbox.remove(task)) {
      // Shut down meanwhile, and the thread did not take it: it would never run.
      throw rejected();
    }
    if (sleeping) {
      LockSupport.unpark(thread);
    }
  }

  /** Runs what was handed before this call, then ends the thread; later hand-offs are refused. */
  public void shutdown() {
    state.compareAndSet(RUNNING, SHUTDOWN);
    LockSupport.unpark(thread);
  }

  /** Ends the thread after the task it is running, dropping what waits. */
  public void shutdownNow() {
    state.set(STOPPED);
    inbox.clear();
    LockSupport.unpark(thread);
  }

  /** Waits until the loop's thread has ended; true if it did within {@code timeout}. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return thread.join(timeout);
  }

  public boolean isShutdown() {
    return state.get() != RUNNING;
  }

  private RejectedExecutionException rejected() {
    return new RejectedExecutionException("write loop " + thread.getName() + " is shut down");
  }

  private void loop() {
    long nextBeat = System.nanoTime() + periodNanos;
    while (state.get() != STOPPED) {
      Runnable task = inbox.poll();
      if (task != null) {
        run(task);
        if (periodic != null && System.nanoTime() - nextBeat >= 0) {
          run(periodic);
          nextBeat = System.nanoTime() + periodNanos;
        }
        continue;
      }
      if (state.get() == SHUTDOWN) {
        // Hand-offs are refused from here on, and each one that raced with the shutdown either
        // took itself back or is in the inbox now: run those, then end.
        while ((task = inbox.poll()) != null && state.get() != STOPPED) {
          run(task);
        }
        return;
      }
      long wait = periodic == null ? Long.MAX_VALUE : nextBeat - System.nanoTime();
      if (wait <= 0) {
        run(periodic);
        nextBeat = System.nanoTime() + periodNanos;
        continue;
      }
      sleeping = true;
      // Checked after the flag is set: a hand-off that came before it is seen here, one after it
      // sees the flag and unparks.
      if (inbox.isEmpty() && state.get() == RUNNING) {
        if (wait == Long.MAX_VALUE) {
          LockSupport.park(this);
        } else {
          LockSupport.parkNanos(this, Math.min(wait, TimeUnit.SECONDS.toNanos(1)));
        }
      }
      sleeping = false;
    }
  }

  private void run(Runnable task) {
    try {
      task.run();
    } catch (Throwable t) {
      LOG.log(Level.WARNING, "a task on " + thread.getName() + " failed; the loop goes on", t);
    }
  }
}
