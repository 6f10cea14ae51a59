package io.tideflow.cache.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ValueFramesTest {
  private final ValueFrames frames = new ValueFrames(1024, 3, 1 << 20);

  @Test
  void compressesALargeRepetitiveValueAndRestoresItExactly() {
    byte[] json = SampleJson.orders(40).getBytes(StandardCharsets.UTF_8);

    byte[] frame = frames.encode(json, 12345L);

    assertThat(ValueFrames.isCompressed(frame)).isTrue();
    assertThat(frame.length).isLessThan(json.length * 6 / 10);
    ValueFrames.Frame decoded = frames.decode(frame);
    assertThat(decoded.serialized()).isEqualTo(json);
    assertThat(decoded.expiresAtMillis()).isEqualTo(12345L);
  }

  @Test
  void leavesValuesUnderTheThresholdRaw() {
    byte[] small = "x".repeat(1023).getBytes(StandardCharsets.UTF_8);

    byte[] frame = frames.encode(small, 1);

    assertThat(ValueFrames.isCompressed(frame)).isFalse();
    assertThat(frames.decode(frame).serialized()).isEqualTo(small);
  }

  @Test
  void keepsIncompressibleValuesRaw() {
    byte[] random = new byte[4096];
    new Random(42).nextBytes(random);

    byte[] frame = frames.encode(random, 1);

    assertThat(ValueFrames.isCompressed(frame)).isFalse();
    assertThat(frame.length).isEqualTo(random.length + ValueFrames.HEADER_BYTES);
  }

  @Test
  void refusesToInflateBeyondTheLimit() {
    ValueFrames writer = new ValueFrames(0, 3, Integer.MAX_VALUE);
    byte[] frame = writer.encode(new byte[2 << 20], 1);

    assertThatThrownBy(() -> frames.decode(frame))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit is 1048576");
  }

  @Test
  void rejectsATruncatedOrUnknownFrame() {
    assertThatThrownBy(() -> frames.decode(new byte[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shorter than its 9-byte header");
    byte[] unknown = new byte[10];
    unknown[0] = 7;
    assertThatThrownBy(() -> frames.decode(unknown))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown frame header 7");
  }
}
