package io.tideflow.runtime.flow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * The channel from one sending instance to one receiving instance for one connection, both on this
 * node, or one of them a pump to or from another node. The sender writes and then, once it has
 * written its last message, sets {@link #ended}; the receiver drains, so a receiver that reads
 * {@code ended} true and then finds the channel empty has seen everything.
 */
final class Link {
  final SpscChannel<Message> channel;
  final Party producer;
  final Party consumer;

  /** Hands a drained message to the receiver; the receiver's thread only. */
  final Consumer<Message> deliver;

  volatile boolean ended;

  /**
   * Messages of this channel that are safe: taken by the receiver and everything it wrote for them
   * safe in turn, down to the sinks. Written by the node's grant pump; what a node's death cannot
   * lose, so what a sender on another node may forget.
   */
  volatile long acked;

  /** The sending end's replay state when the receiver is on another node, else null. */
  RemoteOut remote;

  /** The receiving end of a channel from another node, when this link is one. */
  InboundChannel inbound;

  /** Receiver's thread only: the channel ended and was drained. */
  boolean done;

  /** Payload bytes the channel may hold: waiting here and, across nodes, kept for replay. */
  final long maxBytes;

  /**
   * Payloads this large and larger are counted against {@link #countedBound}; smaller ones are not
   * counted at all (they cost no bookkeeping), which is safe because the channel holds at most
   * {@value #MOST_HELD_PER_SLOT} messages per slot of its capacity, here and in a replay ring, and
   * so less than {@code maxBytes - countedBound} of them.
   */
  final int countFrom;

  /** The counted payloads' share of {@link #maxBytes}: at least half of it. */
  final long countedBound;

  /** Messages per slot of capacity a channel holds at most: its own slots and a replay ring's. */
  static final int MOST_HELD_PER_SLOT = 1 + 2 * RemoteOut.REPLAY_FACTOR;

  // Counted bytes the receiver on this node delivered in its current drain; its thread only.
  private long drained;

  // Payload bytes put in by the sending instance and the most held, and what it last saw let go;
  // and the bytes let go: taken by a receiver on this node, or made safe by one on another (then
  // the send pump lets them go). Each side writes its own padded array only, on a cache line of
  // its own, so that counting costs the other side nothing; the sender reads what was let go only
  // when the bound seems reached, as a ring reads its other end's index.
  private static final int AT = 8; // 64 bytes from either end of a 16-long array
  private final long[] sent = new long[2 * AT + 3];
  private final long[] freed = new long[2 * AT + 1];
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

  /** A channel between two instances on this node. */
  Link(
      int capacity,
      long maxBytes,
      String toPort,
      InstanceRunner producer,
      InstanceRunner consumer) {
    this.channel = new SpscChannel<>(Math.max(2, capacity));
    this.maxBytes = maxBytes;
    this.countFrom = countFrom(channel.capacity(), maxBytes);
    this.countedBound = countedBound(channel.capacity(), maxBytes, countFrom);
    this.producer = producer;
    this.consumer = consumer;
    this.deliver =
        m -> {
          int size = m.payload().length;
          if (size >= countFrom) {
            drained += size;
          }
          consumer.deliver(toPort, m);
        };
  }

  private static int countFrom(int capacity, long maxBytes) {
    long from = maxBytes / (2L * MOST_HELD_PER_SLOT * Math.max(2, capacity));
    return from <= 1 ? 0 : (int) Math.min(Integer.MAX_VALUE, from);
  }

  private static long countedBound(int capacity, long maxBytes, int countFrom) {
    return countFrom == 0
        ? maxBytes
        : maxBytes - (long) MOST_HELD_PER_SLOT * Math.max(2, capacity) * (countFrom - 1);
  }

  /** Whether a payload of {@code size} bytes is counted. */
  boolean counted(int size) {
    return size >= countFrom;
  }

  /** Lets go what the receiver on this node drained; its thread only, after each drain. */
  void releaseDrained() {
    if (drained > 0) {
      released(drained);
      drained = 0;
    }
  }

  /**
   * A channel one end of which is a pump to or from another node. Towards another node the pump
   * lets bytes go as they are made safe; from one, the sender's credits bound what comes. (On this
   * node the receiving instance lets go what it drained, a batch at a time.)
   */
  Link(int capacity, long maxBytes, Party producer, Party consumer, Consumer<Message> deliver) {
    this.channel = new SpscChannel<>(Math.max(2, capacity));
    this.maxBytes = maxBytes;
    this.countFrom = countFrom(channel.capacity(), maxBytes);
    this.countedBound = countedBound(channel.capacity(), maxBytes, countFrom);
    this.producer = producer;
    this.consumer = consumer;
    this.deliver = deliver;
  }

  /**
   * Whether {@code size} more counted bytes fit; into a channel that holds none, anything does. The
   * sender's thread only.
   */
  boolean roomFor(int size) {
    long in = sent[AT];
    long held = in - sent[AT + 1];
    if (held <= 0 || held + size <= countedBound) {
      return true;
    }
    long out = (long) SLOT.getAcquire(freed, AT);
    sent[AT + 1] = out;
    held = in - out;
    if (held > sent[AT + 2]) {
      SLOT.setOpaque(sent, AT + 2, held); // the most it held when it came near the bound
    }
    return held <= 0 || held + size <= countedBound;
  }

  /** The sender put {@code size} counted bytes in; the sender's thread only. */
  void added(int size) {
    SLOT.setOpaque(sent, AT, sent[AT] + size);
  }

  /** {@code size} counted bytes left the channel; the receiver's (or send pump's) thread only. */
  void released(long size) {
    if (size > 0) {
      SLOT.setRelease(freed, AT, freed[AT] + size);
    }
  }

  /** Counted payload bytes the channel holds now; any thread. */
  long heldBytes() {
    return Math.max(0, (long) SLOT.getOpaque(sent, AT) - (long) SLOT.getAcquire(freed, AT));
  }

  /**
   * The most payload bytes the channel held at any time, as the sender saw it (what it had seen let
   * go may lag: never less than the truth); any thread.
   */
  long peakBytes() {
    return (long) SLOT.getOpaque(sent, AT + 2);
  }

  /** Messages of this channel known to be safe. */
  long safe() {
    RemoteOut r = remote;
    return r != null ? r.ackedUntil - r.seqBase : acked;
  }

  /** Something to do for the receiver: a message waits, or the channel ended. */
  boolean ready() {
    return !done && (ended || channel.size() > 0);
  }
}
