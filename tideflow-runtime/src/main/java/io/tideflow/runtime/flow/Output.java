package io.tideflow.runtime.flow;

import io.tideflow.core.flow.KeyGroups;

/**
 * An output port of a process instance, as its process emits to it. Emitting hands the message to
 * every connection of the port, routed by the connection's routing; it waits while a receiving
 * channel is full (that wait is the instance's backpressured time) and so may be slow, never lossy.
 * Only the instance's own thread emits.
 */
public interface Output {
  /**
   * Emits a message without a key.
   *
   * @throws IllegalStateException when the port feeds a keyed connection, which needs a key
   * @throws InterruptedException when the flow stops while the emit waits
   */
  void emit(byte[] payload) throws InterruptedException;

  /** Emits a message with a key; keyed connections route it by the key's group. */
  void emit(long key, byte[] payload) throws InterruptedException;

  /** Emits a message keyed by a string, as {@link KeyGroups#key(String)} turns it into a key. */
  default void emit(String key, byte[] payload) throws InterruptedException {
    emit(KeyGroups.key(key), payload);
  }
}
