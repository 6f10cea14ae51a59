package io.tideflow.runtime.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Gathers items from many threads into batches for one serial sink, without a timer: the first add
 * while no drain is under way hands a drain to the executor, and the drain sends what has gathered
 * by the time it runs, looping until nothing is left. A lone item goes out as soon as the executor
 * runs the drain (no linger); under load, batches grow by themselves, and the adding thread never
 * does the sending, so a single fast producer still fills batches.
 *
 * <p>The sink is called by one thread at a time (the drain under way), so it may write to a gRPC
 * stream, which is not thread-safe. A batch holds at most {@code maxItems} items and at most {@code
 * maxBytes} bytes as {@code sizeOf} counts them (one item is sent alone even if larger).
 */
public final class Batcher<T> {
  private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final Consumer<List<T>> sink;
  private final ToIntFunction<T> sizeOf;
  private final int maxItems;
  private final int maxBytes;
  private final Executor executor;
  private final Runnable drain = this::drain;

  /** Batches one drain sends before it hands the executor on (see {@link #drain}). */
  private static final int BATCHES_PER_TURN = 16;

  /**
   * The adds a yielding drain had not accounted for yet, handed to the drain it re-queued; only
   * drains touch it, one at a time, ordered by the executor.
   */
  private int carried;

  /**
   * @param executor runs the drains; a platform thread is the safe choice, since virtual threads
   *     busy with CPU-bound tasks would hold a drain back until they finish
   */
  public Batcher(
      Consumer<List<T>> sink,
      ToIntFunction<T> sizeOf,
      int maxItems,
      int maxBytes,
      Executor executor) {
    if (maxItems <= 0) {
      throw new IllegalArgumentException("maxItems must be > 0, was " + maxItems);
    }
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be > 0, was " + maxBytes);
    }
    this.sink = sink;
    this.sizeOf = sizeOf;
    this.maxItems = maxItems;
    this.maxBytes = maxBytes;
    this.executor = executor;
  }

  /** Adds {@code item}; the calling thread may end up sending this and other threads' items. */
  public void add(T item) {
    queue.add(item);
    if (pending.getAndIncrement() == 0) {
      try {
        executor.execute(drain);
      } catch (RejectedExecutionException e) {
        // The executor was shut down with the connection it served: nothing can be sent any
        // more. Later adds see pending > 0 and do not try again. Counted, not thrown: the caller
        // is finishing a task and its peer learns of the lost stream on its own.
        dropped.addAndGet(queue.size());
        queue.clear();
      }
    }
  }

  /**
   * Sends what has gathered, looping while more arrives, but at most {@link #BATCHES_PER_TURN}
   * batches a turn: then it re-queues itself and returns, so other work on the executor (other
   * streams' drains, a flush) runs in between instead of waiting for as long as items keep coming.
   */
  private void drain() {
    int missed = carried == 0 ? 1 : carried;
    carried = 0;
    int sent = 0;
    do {
      List<T> batch = new ArrayList<>();
      int bytes = 0;
      T item;
      while (sent < BATCHES_PER_TURN && (item = queue.poll()) != null) {
        int size = sizeOf.applyAsInt(item);
        if (!batch.isEmpty() && (batch.size() >= maxItems || bytes + size > maxBytes)) {
          send(batch);
          sent++;
          batch = new ArrayList<>();
          bytes = 0;
        }
        batch.add(item);
        bytes += size;
      }
      if (!batch.isEmpty()) {
        send(batch);
        sent++;
      }
      if (sent >= BATCHES_PER_TURN) {
        // The queue may hold more: the adds are accounted for only once it is empty, by the
        // drain this one hands on to, so nothing added is ever stranded.
        carried = missed;
        try {
          executor.execute(drain);
          return;
        } catch (RejectedExecutionException e) {
          carried = 0; // shut down: finish here, as before
          sent = 0;
          continue;
        }
      }
      missed = pending.addAndGet(-missed);
    } while (missed != 0);
  }

  /** Hands a batch to the sink; a sink that throws loses that batch, not the batcher. */
  private void send(List<T> batch) {
    try {
      sink.accept(batch);
    } catch (RuntimeException e) {
      // The stream is gone (its peer learns of it on its own); count what it did not take.
      dropped.addAndGet(batch.size());
    }
  }

  /** Items dropped because the executor had been shut down. */
  public long dropped() {
    return dropped.get();
  }
}
