package io.tideflow.runtime.flow;

/**
 * One message on a flow's channel: a key (what a {@link io.tideflow.core.flow.Routing#KEYED}
 * connection routes by; 0 when the sender gave none) and the payload. The payload is not copied: a
 * sender must not change it after emitting it, and a receiver must not change it either, since a
 * broadcast hands the same message to every receiver.
 */
public record Message(long key, byte[] payload) {
  public Message {
    if (payload == null) {
      throw new IllegalArgumentException("a message's payload must not be null");
    }
  }
}
