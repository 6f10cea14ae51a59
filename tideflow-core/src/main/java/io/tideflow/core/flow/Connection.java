package io.tideflow.core.flow;

/**
 * A bounded channel from an output port of one process to an input port of another: a sender is
 * held once {@code capacity} messages wait unread, or once the payloads the channel holds (waiting,
 * or across nodes sent and not yet safe) reach {@code maxBytes}, which is how a slow receiver slows
 * its senders down (backpressure) instead of filling memory. One message always fits, whatever its
 * size, into an empty channel.
 *
 * @param from the sending process
 * @param fromPort its output port
 * @param to the receiving process
 * @param toPort its input port
 * @param routing how messages spread over the receiver's instances
 * @param capacity messages that may wait per channel, 1 to {@value #MAX_CAPACITY}
 * @param keyGroups for {@link Routing#KEYED}: how many groups keys hash into, at least the
 *     receiver's parallelism (and the most it can be scaled to)
 * @param maxBytes payload bytes the channel may hold, 1 KiB to 1 GiB
 */
public record Connection(
    String from,
    String fromPort,
    String to,
    String toPort,
    Routing routing,
    int capacity,
    int keyGroups,
    long maxBytes) {
  public static final int MAX_CAPACITY = 1_000_000;

  /** The payload bytes a channel holds at most unless told otherwise: 8 MiB. */
  public static final long DEFAULT_MAX_BYTES = 8L << 20;

  public static final long MIN_MAX_BYTES = 1L << 10;
  public static final long MAX_MAX_BYTES = 1L << 30;

  /** Flink's default maximum parallelism, the key groups of a keyed connection unless given. */
  public static final int DEFAULT_KEY_GROUPS = 128;

  public Connection {
    if (routing == null) {
      throw new IllegalArgumentException(
          "connection " + path(from, fromPort, to, toPort) + ": no routing");
    }
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "connection "
              + path(from, fromPort, to, toPort)
              + ": capacity must be in [1, "
              + MAX_CAPACITY
              + "], was "
              + capacity);
    }
    if (maxBytes < MIN_MAX_BYTES || maxBytes > MAX_MAX_BYTES) {
      throw new IllegalArgumentException(
          "connection "
              + path(from, fromPort, to, toPort)
              + ": maxBytes must be in ["
              + MIN_MAX_BYTES
              + ", "
              + MAX_MAX_BYTES
              + "], was "
              + maxBytes);
    }
    if (keyGroups < 1 || keyGroups > 32_768) {
      throw new IllegalArgumentException(
          "connection "
              + path(from, fromPort, to, toPort)
              + ": keyGroups must be in [1, 32768], was "
              + keyGroups);
    }
  }

  /** A connection holding at most {@link #DEFAULT_MAX_BYTES}. */
  public Connection(
      String from,
      String fromPort,
      String to,
      String toPort,
      Routing routing,
      int capacity,
      int keyGroups) {
    this(from, fromPort, to, toPort, routing, capacity, keyGroups, DEFAULT_MAX_BYTES);
  }

  private static String path(String from, String fromPort, String to, String toPort) {
    return from + "." + fromPort + " -> " + to + "." + toPort;
  }

  @Override
  public String toString() {
    return path(from, fromPort, to, toPort) + " (" + routing + ")";
  }
}
