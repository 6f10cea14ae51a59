package io.tideflow.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PendingInvalidationsTest {

  @Test
  void blocksExactlyTheKeysWhoseDeletionFailed() {
    PendingInvalidations pending = new PendingInvalidations(10);

    pending.add(List.of("a", "b"));

    assertThat(pending.blocks("a")).isTrue();
    assertThat(pending.blocks("b")).isTrue();
    assertThat(pending.blocks("c")).isFalse();
    assertThat(pending.size()).isEqualTo(2);
  }

  @Test
  void aKeyRetriedSuccessfullyIsNoLongerBlocked() {
    PendingInvalidations pending = new PendingInvalidations(10);
    pending.add(List.of("a"));

    pending.done(pending.batch(100));

    assertThat(pending.blocks("a")).isFalse();
    assertThat(pending.isEmpty()).isTrue();
  }

  @Test
  void aLaterWriteThatReachedRedisEndsThePendingDeletionButNotANewerFailure() {
    PendingInvalidations pending = new PendingInvalidations(10);
    pending.add(List.of("a", "b"));
    long mark = pending.mark();
    pending.add(List.of("b")); // b failed again after the write started

    pending.written(List.of("a", "b", "c"), mark);

    assertThat(pending.blocks("a")).isFalse();
    assertThat(pending.blocks("b")).isTrue();
    assertThat(pending.batch(100)).containsOnlyKeys("b");
  }

  @Test
  void aDeletionThatFailedAgainDuringItsRetryStaysPending() {
    PendingInvalidations pending = new PendingInvalidations(10);
    pending.add(List.of("a"));
    Map<String, Long> batch = pending.batch(100);

    pending.add(List.of("a")); // failed again while the retry was on its way
    pending.done(batch);

    assertThat(pending.blocks("a")).isTrue();
  }

  @Test
  void batchesHoldAtMostTheAskedNumberOfKeys() {
    PendingInvalidations pending = new PendingInvalidations(10);
    pending.add(List.of("a", "b", "c"));

    assertThat(pending.batch(2)).hasSize(2);
  }

  @Test
  void oneKeyPastTheLimitBlocksEveryKeyUntilTheNamespaceIsFlushed() {
    PendingInvalidations pending = new PendingInvalidations(2);

    pending.add(List.of("a", "b", "c"));

    assertThat(pending.overflowed()).isTrue();
    assertThat(pending.overflows()).isOne();
    assertThat(pending.blocks("never-deleted")).isTrue();
    assertThat(pending.size()).isEqualTo(3);

    pending.flushed(pending.mark());

    assertThat(pending.isEmpty()).isTrue();
    assertThat(pending.blocks("a")).isFalse();
  }

  @Test
  void aFlushThatRacedAnotherFailedDeletionKeepsTheOverflow() {
    PendingInvalidations pending = new PendingInvalidations(1);
    pending.add(List.of("a", "b"));
    long mark = pending.mark();

    pending.add(List.of("c")); // may have missed the SCAN
    pending.flushed(mark);

    assertThat(pending.overflowed()).isTrue();
    assertThat(pending.blocks("c")).isTrue();
  }

  @Test
  void rejectsALimitBelowOneNamingTheSetting() {
    assertThatThrownBy(() -> new PendingInvalidations(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPendingInvalidations must be >= 1, was 0");
  }
}
