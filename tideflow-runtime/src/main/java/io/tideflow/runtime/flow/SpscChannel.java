package io.tideflow.runtime.flow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * The bounded channel between two process instances on one node: one producer thread, one consumer
 * thread, a ring of a power-of-two capacity. {@link #offer} refuses when the ring is full, which is
 * the backpressure a sender waits on; neither side ever takes a lock. Each side publishes its index
 * with a release store and reads the other's with an acquire load, and keeps a cached copy of the
 * other's index so that it touches the other side's cache line only when its cached view says full
 * (or empty). The indices sit on cache lines of their own.
 *
 * <p>Threads: {@link #offer} from the producer only, {@link #poll} and {@link #drain} from the
 * consumer only; {@link #size} from either, approximately.
 */
public final class SpscChannel<T> extends SpscChannelFields {
  private static final VarHandle HEAD;
  private static final VarHandle TAIL;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      HEAD = lookup.findVarHandle(SpscChannelFields.ConsumerIndex.class, "head", long.class);
      TAIL = lookup.findVarHandle(SpscChannelFields.ProducerIndex.class, "tail", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The largest capacity accepted. */
  public static final int MAX_CAPACITY = 1 << 24;

  private final Object[] ring;
  private final int mask;

  /**
   * A channel of at least {@code capacity} slots (rounded up to a power of two).
   *
   * @throws IllegalArgumentException for a capacity below 2 or above {@value #MAX_CAPACITY}
   */
  public SpscChannel(int capacity) {
    if (capacity < 2 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "capacity must be in [2, " + MAX_CAPACITY + "], was " + capacity);
    }
    int size = Integer.highestOneBit(capacity - 1) << 1;
    this.ring = new Object[size];
    this.mask = size - 1;
  }

  public int capacity() {
    return ring.length;
  }

  /**
   * Appends {@code value}, or returns false when the channel is full. Producer thread only.
   *
   * @throws NullPointerException for a null value (null means empty to the consumer)
   */
  public boolean offer(T value) {
    if (value == null) {
      throw new NullPointerException("a channel carries no null");
    }
    long tail = producer.tail;
    if (tail - producer.headCache >= ring.length) {
      producer.headCache = (long) HEAD.getAcquire(consumer);
      if (tail - producer.headCache >= ring.length) {
        return false;
      }
    }
    SLOT.setRelease(ring, (int) tail & mask, value);
    TAIL.setRelease(producer, tail + 1);
    return true;
  }

  /** The oldest value, removed, or null when the channel is empty. Consumer thread only. */
  @SuppressWarnings("unchecked")
  public T poll() {
    long head = consumer.head;
    if (head >= consumer.tailCache) {
      consumer.tailCache = (long) TAIL.getAcquire(producer);
      if (head >= consumer.tailCache) {
        return null;
      }
    }
    int slot = (int) head & mask;
    T value = (T) SLOT.getAcquire(ring, slot);
    ring[slot] = null;
    HEAD.setRelease(consumer, head + 1);
    return value;
  }

  /**
   * Hands up to {@code limit} values to {@code sink} in order and removes them, publishing the new
   * head once for the batch. Consumer thread only.
   *
   * @return how many were handed over
   */
  @SuppressWarnings("unchecked")
  public int drain(Consumer<? super T> sink, int limit) {
    long head = consumer.head;
    long available = consumer.tailCache - head;
    if (available < limit) {
      consumer.tailCache = (long) TAIL.getAcquire(producer);
      available = consumer.tailCache - head;
    }
    int n = (int) Math.min(available, limit);
    for (int i = 0; i < n; i++) {
      int slot = (int) (head + i) & mask;
      T value = (T) SLOT.getAcquire(ring, slot);
      ring[slot] = null;
      sink.accept(value);
    }
    if (n > 0) {
      HEAD.setRelease(consumer, head + n);
    }
    return n;
  }

  /** Values offered so far; exact on the producer's thread, a lower bound elsewhere. */
  public long produced() {
    return (long) TAIL.getAcquire(producer);
  }

  /** Values taken so far (a drain counts once it returns); exact on the consumer's thread. */
  public long consumed() {
    return (long) HEAD.getAcquire(consumer);
  }

  /** Values waiting, as seen now from any thread; exact only when both sides are still. */
  public int size() {
    long head = (long) HEAD.getAcquire(consumer);
    long tail = (long) TAIL.getAcquire(producer);
    return (int) Math.max(0, Math.min(ring.length, tail - head));
  }
}
