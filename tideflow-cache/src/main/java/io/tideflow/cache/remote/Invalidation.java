package io.tideflow.cache.remote;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The message published on a namespace's channel when keys change: who changed them (so a node
 * ignores its own messages) and which keys.
 *
 * <p>Wire form: origin (modified UTF-8), key count (int), each key (modified UTF-8). Keys may hold
 * any character, newlines included. A count of 0 means every key of the namespace: sent after a
 * node lost track of its failed deletions and flushed the namespace from Redis.
 *
 * @param origin the id of the cache instance that made the change
 * @param keys the changed keys; empty means every key
 */
public record Invalidation(String origin, List<String> keys) {
  private static final int MAX_KEYS = 100_000;

  public Invalidation {
    if (origin == null || origin.isEmpty()) {
      throw new IllegalArgumentException("origin must not be empty, was " + origin);
    }
    keys = List.copyOf(keys);
  }

  /** The message that every key of the namespace changed. */
  public static Invalidation everyKey(String origin) {
    return new Invalidation(origin, List.of());
  }

  /** Whether every key of the namespace changed (near tiers drop everything). */
  public boolean isEveryKey() {
    return keys.isEmpty();
  }

  /** The bytes to publish. */
  public byte[] encode() {
    var bytes = new ByteArrayOutputStream(32 + 16 * keys.size());
    try (var out = new DataOutputStream(bytes)) {
      out.writeUTF(origin);
      out.writeInt(keys.size());
      for (String key : keys) {
        out.writeUTF(key);
      }
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return bytes.toByteArray();
  }

  /** Reads a message written by {@link #encode}; a malformed one is an IllegalArgumentException. */
  public static Invalidation decode(byte[] message) {
    try (var in = new DataInputStream(new ByteArrayInputStream(message))) {
      String origin = in.readUTF();
      int count = in.readInt();
      if (count < 0 || count > MAX_KEYS) {
        throw new IllegalArgumentException(
            "invalidation key count " + count + " not in 0.." + MAX_KEYS);
      }
      List<String> keys = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        keys.add(in.readUTF());
      }
      return new Invalidation(origin, keys);
    } catch (IOException truncated) {
      throw new IllegalArgumentException(
          "malformed invalidation message of " + message.length + " bytes", truncated);
    }
  }
}
