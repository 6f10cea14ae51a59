package io.tideflow.cache.codec;

import com.github.luben.zstd.Zstd;
import java.nio.ByteBuffer;

/**
 * The bytes stored in Redis: a one-byte header whose low bit flags zstd compression, the entry's
 * expiry (epoch milliseconds, 8 bytes, so another node's near copy does not outlive it), then the
 * serialized value.
 *
 * <p>A value is compressed only when its serialized form is at least {@code threshold} bytes and
 * the compressed form is actually smaller: small values are not worth the CPU and random ones do
 * not shrink. Stateless apart from its settings, so one instance serves all threads.
 */
public final class ValueFrames {
  static final byte RAW = 0;
  static final byte ZSTD = 1;
  static final int HEADER_BYTES = 1 + Long.BYTES;

  private final int threshold;
  private final int level;
  private final int maxDecodedBytes;

  /**
   * @param threshold compress values whose serialized form has at least this many bytes
   * @param level zstd level (1–22; 3 is zstd's default balance of speed and ratio)
   * @param maxDecodedBytes refuse to inflate a frame beyond this size (a corrupt or hostile frame
   *     must not allocate gigabytes)
   */
  public ValueFrames(int threshold, int level, int maxDecodedBytes) {
    if (threshold < 0) {
      throw new IllegalArgumentException("threshold must be >= 0, was " + threshold);
    }
    if (level < 1 || level > Zstd.maxCompressionLevel()) {
      throw new IllegalArgumentException(
          "level must be in 1.." + Zstd.maxCompressionLevel() + ", was " + level);
    }
    if (maxDecodedBytes < 0) {
      throw new IllegalArgumentException("maxDecodedBytes must be >= 0, was " + maxDecodedBytes);
    }
    this.threshold = threshold;
    this.level = level;
    this.maxDecodedBytes = maxDecodedBytes;
  }

  /** A decoded frame: the serialized value and when it expires. */
  public record Frame(byte[] serialized, long expiresAtMillis) {}

  /** The frame for a serialized value that expires at {@code expiresAtMillis}. */
  public byte[] encode(byte[] serialized, long expiresAtMillis) {
    if (serialized.length >= threshold) {
      byte[] compressed = Zstd.compress(serialized, level);
      if (compressed.length < serialized.length) {
        return withHeader(ZSTD, expiresAtMillis, compressed);
      }
    }
    return withHeader(RAW, expiresAtMillis, serialized);
  }

  /** What {@link #encode} framed; a malformed frame is an IllegalArgumentException. */
  public Frame decode(byte[] frame) {
    if (frame.length < HEADER_BYTES) {
      throw new IllegalArgumentException(
          "frame of "
              + frame.length
              + " bytes is shorter than its "
              + HEADER_BYTES
              + "-byte header");
    }
    ByteBuffer buffer = ByteBuffer.wrap(frame);
    byte flags = buffer.get();
    long expiresAt = buffer.getLong();
    byte[] body = new byte[buffer.remaining()];
    buffer.get(body);
    return switch (flags) {
      case RAW -> new Frame(body, expiresAt);
      case ZSTD -> new Frame(inflate(body), expiresAt);
      default ->
          throw new IllegalArgumentException(
              "unknown frame header " + flags + " (0 = raw, 1 = zstd)");
    };
  }

  /** Whether a frame holds a compressed value. */
  public static boolean isCompressed(byte[] frame) {
    return frame.length > 0 && frame[0] == ZSTD;
  }

  private byte[] inflate(byte[] body) {
    long size = Zstd.getFrameContentSize(body);
    if (size < 0 || size > maxDecodedBytes) {
      throw new IllegalArgumentException(
          "compressed frame declares " + size + " bytes, limit is " + maxDecodedBytes);
    }
    return Zstd.decompress(body, (int) size);
  }

  private static byte[] withHeader(byte flags, long expiresAtMillis, byte[] body) {
    return ByteBuffer.allocate(HEADER_BYTES + body.length)
        .put(flags)
        .putLong(expiresAtMillis)
        .put(body)
        .array();
  }
}
