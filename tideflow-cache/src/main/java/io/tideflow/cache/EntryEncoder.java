package io.tideflow.cache;

import io.tideflow.cache.codec.Codec;
import io.tideflow.cache.codec.ValueFrames;
import java.nio.charset.StandardCharsets;

/** Keys and values as Redis holds them, with the size limits checked on the way in. */
final class EntryEncoder<V> {
  private final CacheSettings settings;
  private final Codec<V> codec;
  private final ValueFrames frames;
  private final String keyPrefix;
  private final String lockPrefix;

  EntryEncoder(CacheSettings settings, Codec<V> codec) {
    this.settings = settings;
    this.codec = codec;
    this.frames =
        new ValueFrames(
            settings.compressionThreshold(), settings.compressionLevel(), settings.maxValueBytes());
    this.keyPrefix = settings.namespace() + ":";
    // Not a valid namespace, so no namespace's keys can collide with the locks.
    this.lockPrefix = settings.namespace() + "#lock:";
  }

  /** A value serialized and framed, with its serialized size (for the compression ratio). */
  record Encoded(byte[] frame, int serializedBytes) {}

  /** Rejects a null, empty or too long key with a message naming it and the limit. */
  void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException(
          "key must not be null or empty in cache '" + settings.namespace() + "'");
    }
    // A UTF-16 char is at most 3 UTF-8 bytes: short keys need no encoding to be checked.
    if (key.length() * 3L > settings.maxKeyBytes()) {
      int bytes = key.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > settings.maxKeyBytes()) {
        throw new IllegalArgumentException(
            "key '"
                + abbreviate(key)
                + "' in cache '"
                + settings.namespace()
                + "' is "
                + bytes
                + " bytes, over the limit of "
                + settings.maxKeyBytes()
                + " (maxKeyBytes)");
      }
    }
  }

  /**
   * Serializes and frames {@code value}; rejects one over the size limit before anything changes.
   */
  Encoded encode(String key, V value, long expiresAtMillis) {
    if (value == null) {
      throw new IllegalArgumentException(
          "value for key '"
              + abbreviate(key)
              + "' in cache '"
              + settings.namespace()
              + "' must not be null");
    }
    byte[] serialized = codec.encode(value);
    if (serialized.length > settings.maxValueBytes()) {
      throw new IllegalArgumentException(
          "value for key '"
              + abbreviate(key)
              + "' in cache '"
              + settings.namespace()
              + "' is "
              + serialized.length
              + " bytes serialized, over the limit of "
              + settings.maxValueBytes()
              + " (maxValueBytes)");
    }
    return new Encoded(frames.encode(serialized, expiresAtMillis), serialized.length);
  }

  /** The value in a frame read from Redis, and its expiry. */
  Decoded<V> decode(byte[] frame) {
    ValueFrames.Frame decoded = frames.decode(frame);
    return new Decoded<>(codec.decode(decoded.serialized()), decoded.expiresAtMillis());
  }

  record Decoded<V>(V value, long expiresAtMillis) {}

  String redisKey(String key) {
    return keyPrefix + key;
  }

  /** The SCAN pattern of every value key of the namespace (not its locks). */
  String redisKeyPattern() {
    // The namespace is [A-Za-z0-9._-] only, so nothing in it needs escaping in a glob.
    return keyPrefix + "*";
  }

  String lockKey(String key) {
    return lockPrefix + key;
  }

  String keyOf(String redisKey) {
    return redisKey.substring(keyPrefix.length());
  }

  static String abbreviate(String key) {
    return key.length() <= 64 ? key : key.substring(0, 61) + "...";
  }
}
