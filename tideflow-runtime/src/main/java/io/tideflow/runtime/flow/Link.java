package io.tideflow.runtime.flow;

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

  /** Receiver's thread only: the channel ended and was drained. */
  boolean done;

  /** Payload bytes the channel may hold: waiting here and, across nodes, kept for replay. */
  final long maxBytes;

  // Payload bytes put in by the sending instance, and let go: taken by a receiver on this node,
  // or made safe by one on another (then the send pump lets them go). One writer each.
  private volatile long bytesIn;
  private volatile long bytesOut;
  private volatile long peakBytes;

  /** A channel between two instances on this node. */
  Link(
      int capacity,
      long maxBytes,
      String toPort,
      InstanceRunner producer,
      InstanceRunner consumer) {
    this.channel = new SpscChannel<>(Math.max(2, capacity));
    this.maxBytes = maxBytes;
    this.producer = producer;
    this.consumer = consumer;
    this.deliver =
        m -> {
          released(m.payload().length);
          consumer.deliver(toPort, m);
        };
  }

  /**
   * A channel one end of which is a pump to or from another node. Towards another node the pump
   * lets bytes go as they are made safe; from one, the sender's credits bound what comes.
   */
  Link(int capacity, long maxBytes, Party producer, Party consumer, Consumer<Message> deliver) {
    this.channel = new SpscChannel<>(Math.max(2, capacity));
    this.maxBytes = maxBytes;
    this.producer = producer;
    this.consumer = consumer;
    this.deliver = deliver;
  }

  /** Whether {@code size} more bytes fit; into a channel that holds none, anything does. */
  boolean roomFor(int size) {
    long held = bytesIn - bytesOut;
    return held <= 0 || held + size <= maxBytes;
  }

  /** The sender put {@code size} bytes in; the sender's thread only. */
  void added(int size) {
    long in = bytesIn + size;
    bytesIn = in;
    long held = in - bytesOut;
    if (held > peakBytes) {
      peakBytes = held;
    }
  }

  /** {@code size} bytes left the channel; the receiver's (or send pump's) thread only. */
  void released(long size) {
    bytesOut = bytesOut + size;
  }

  /** Payload bytes the channel holds now. */
  long heldBytes() {
    return Math.max(0, bytesIn - bytesOut);
  }

  /** The most payload bytes the channel held at any time, as the sender saw it. */
  long peakBytes() {
    return peakBytes;
  }

  /** Messages of this channel known to be safe. */
  long safe() {
    RemoteOut r = remote;
    return r != null ? r.ackedUntil : acked;
  }

  /** Something to do for the receiver: a message waits, or the channel ended. */
  boolean ready() {
    return !done && (ended || channel.size() > 0);
  }
}
