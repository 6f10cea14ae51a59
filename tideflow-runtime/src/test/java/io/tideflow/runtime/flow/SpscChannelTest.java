package io.tideflow.runtime.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SpscChannelTest {
  @Test
  void aFullChannelRefusesAndValuesComeOutInTheOrderTheyWentIn() {
    SpscChannel<Integer> channel = new SpscChannel<>(3);
    assertThat(channel.capacity()).isEqualTo(4);
    for (int i = 0; i < 4; i++) {
      assertThat(channel.offer(i)).isTrue();
    }
    assertThat(channel.offer(99)).as("full: the sender must wait").isFalse();
    assertThat(channel.size()).isEqualTo(4);
    assertThat(channel.poll()).isEqualTo(0);
    assertThat(channel.offer(4)).isTrue();
    List<Integer> out = new ArrayList<>();
    assertThat(channel.drain(out::add, 10)).isEqualTo(4);
    assertThat(out).containsExactly(1, 2, 3, 4);
    assertThat(channel.poll()).isNull();
    assertThat(channel.size()).isZero();
  }

  @Test
  void badArgumentsAreRefusedNamingThem() {
    assertThatThrownBy(() -> new SpscChannel<>(1)).hasMessageContaining("capacity must be in [2,");
    assertThatThrownBy(() -> new SpscChannel<String>(8).offer(null))
        .isInstanceOf(NullPointerException.class);
  }

  /**
   * One producer and one consumer thread through a small ring: every value arrives, once, in order,
   * and the ring never holds more than its capacity. Two million values through 64 slots make the
   * sides meet at full and at empty many thousands of times.
   */
  @Test
  void aProducerAndAConsumerThreadPassEveryValueOnceInOrder() throws Exception {
    SpscChannel<Long> channel = new SpscChannel<>(64);
    long count = 2_000_000;
    CompletableFuture<Long> consumer =
        CompletableFuture.supplyAsync(
            () -> {
              long expected = 0;
              long[] next = {0};
              while (expected < count) {
                if ((expected & 1) == 0) {
                  Long v = channel.poll();
                  if (v != null) {
                    if (v != expected) {
                      throw new AssertionError("expected " + expected + ", got " + v);
                    }
                    expected++;
                  } else {
                    Thread.onSpinWait();
                  }
                } else {
                  next[0] = expected;
                  int n =
                      channel.drain(
                          v -> {
                            if (v != next[0]) {
                              throw new AssertionError("expected " + next[0] + ", got " + v);
                            }
                            next[0]++;
                          },
                          16);
                  expected = next[0];
                  if (n == 0) {
                    Thread.onSpinWait();
                  }
                }
                if (channel.size() > channel.capacity()) {
                  throw new AssertionError("size " + channel.size() + " over the capacity");
                }
              }
              return expected;
            });
    for (long i = 0; i < count; ) {
      if (channel.offer(i)) {
        i++;
      } else {
        Thread.onSpinWait();
      }
    }
    assertThat(consumer.get(60, TimeUnit.SECONDS)).isEqualTo(count);
    assertThat(channel.poll()).isNull();
  }
}
