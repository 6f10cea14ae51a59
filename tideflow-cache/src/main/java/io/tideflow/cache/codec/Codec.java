package io.tideflow.cache.codec;

/**
 * Turns cache values into bytes for the remote tier and back.
 *
 * <p>Called on the caller's thread for every remote write and every remote hit, so it must be
 * thread-safe and should not block. The near tier keeps decoded values and never calls it. Neither
 * method receives or returns {@code null}.
 *
 * @param <V> the value type
 */
public interface Codec<V> {

  /** The serialized form of {@code value}; the cache may keep or compress the returned array. */
  byte[] encode(V value);

  /** The value that {@link #encode} turned into {@code bytes}. */
  V decode(byte[] bytes);

  /** UTF-8 strings. */
  static Codec<String> utf8() {
    return BuiltInCodecs.UTF8;
  }

  /** Byte arrays as they are (neither copied nor changed: callers must not mutate them). */
  static Codec<byte[]> bytes() {
    return BuiltInCodecs.BYTES;
  }
}
