package io.tideflow.core.flow;

/**
 * A bounded channel from an output port of one process to an input port of another: a sender is
 * held once {@code capacity} messages wait unread, which is how a slow receiver slows its senders
 * down (backpressure) instead of filling memory.
 *
 * @param from the sending process
 * @param fromPort its output port
 * @param to the receiving process
 * @param toPort its input port
 * @param routing how messages spread over the receiver's instances
 * @param capacity messages that may wait per channel, 1 to {@value #MAX_CAPACITY}
 * @param keyGroups for {@link Routing#KEYED}: how many groups keys hash into, at least the
 *     receiver's parallelism (and the most it can be scaled to)
 */
public record Connection(
    String from,
    String fromPort,
    String to,
    String toPort,
    Routing routing,
    int capacity,
    int keyGroups) {
  public static final int MAX_CAPACITY = 1_000_000;

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
    if (keyGroups < 1 || keyGroups > 32_768) {
      throw new IllegalArgumentException(
          "connection "
              + path(from, fromPort, to, toPort)
              + ": keyGroups must be in [1, 32768], was "
              + keyGroups);
    }
  }

  private static String path(String from, String fromPort, String to, String toPort) {
    return from + "." + fromPort + " -> " + to + "." + toPort;
  }

  @Override
  public String toString() {
    return path(from, fromPort, to, toPort) + " (" + routing + ")";
  }
}
