package io.tideflow.runtime.flow;

import java.util.function.Consumer;

/**
 * The channel from one sending instance to one receiving instance on the same node, for one
 * connection. The sender writes and then, once it has written its last message, sets {@link
 * #ended}; the receiver drains, so a receiver that reads {@code ended} true and then finds the
 * channel empty has seen everything.
 */
final class Link {
  final SpscChannel<Message> channel;
  final String toPort;
  final InstanceRunner producer;
  final InstanceRunner consumer;

  /** Hands a drained message to the receiver's process; the receiver's thread only. */
  final Consumer<Message> deliver;

  volatile boolean ended;

  /** Receiver's thread only: the channel ended and was drained. */
  boolean done;

  Link(int capacity, String toPort, InstanceRunner producer, InstanceRunner consumer) {
    this.channel = new SpscChannel<>(Math.max(2, capacity));
    this.toPort = toPort;
    this.producer = producer;
    this.consumer = consumer;
    this.deliver = m -> consumer.deliver(toPort, m);
  }

  /** Something to do for the receiver: a message waits, or the channel ended. */
  boolean ready() {
    return !done && (ended || channel.size() > 0);
  }
}
