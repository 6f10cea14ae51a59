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

  /** A channel between two instances on this node. */
  Link(int capacity, String toPort, InstanceRunner producer, InstanceRunner consumer) {
    this(capacity, producer, consumer, m -> consumer.deliver(toPort, m));
  }

  /** A channel one end of which is a pump to or from another node. */
  Link(int capacity, Party producer, Party consumer, Consumer<Message> deliver) {
    this.channel = new SpscChannel<>(Math.max(2, capacity));
    this.producer = producer;
    this.consumer = consumer;
    this.deliver = deliver;
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
