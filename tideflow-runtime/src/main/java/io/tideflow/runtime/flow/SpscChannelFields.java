package io.tideflow.runtime.flow;

/**
 * The two sides' indices of an {@link SpscChannel}, each in an object padded to cache lines of its
 * own, so that the producer writing its tail never invalidates the line the consumer's head is on.
 */
abstract class SpscChannelFields {
  /** What only the producer writes: its tail, and its last look at the head. */
  static final class ProducerIndex {
    long p01, p02, p03, p04, p05, p06, p07;
    volatile long tail;
    long headCache;
    long p11, p12, p13, p14, p15, p16, p17;
  }

  /** What only the consumer writes: its head, and its last look at the tail. */
  static final class ConsumerIndex {
    long p01, p02, p03, p04, p05, p06, p07;
    volatile long head;
    long tailCache;
    long p11, p12, p13, p14, p15, p16, p17;
  }

  final ProducerIndex producer = new ProducerIndex();
  final ConsumerIndex consumer = new ConsumerIndex();
}
