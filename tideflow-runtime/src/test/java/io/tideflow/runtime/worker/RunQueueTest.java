package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The run queue: earliest deadline first, bounded, expiry from the head. */
class RunQueueTest {
  private record Item(String name, long deadline) {}

  private final RunQueue<Item> queue = new RunQueue<>(4, Item::deadline);

  @Test
  void expiryTakesOnlyWhatIsPastItsDeadlineAndLeavesTheRestInOrder() {
    queue.offer(new Item("c", 300));
    queue.offer(new Item("a", 100));
    queue.offer(new Item("none", Long.MAX_VALUE));
    queue.offer(new Item("b", 200));

    assertThat(queue.pollExpired(200)).extracting(Item::name).containsExactly("a");
    assertThat(queue.pollExpired(301)).extracting(Item::name).containsExactly("b", "c");
    assertThat(queue.pollExpired(Long.MAX_VALUE - 1)).isEmpty();
    assertThat(queue.poll().name()).isEqualTo("none");
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void tasksOfOneDeadlineLeaveInTheOrderTheyCame() {
    queue.offer(new Item("first", 5));
    queue.offer(new Item("second", 5));
    queue.offer(new Item("third", 5));

    assertThat(queue.poll().name()).isEqualTo("first");
    assertThat(queue.poll().name()).isEqualTo("second");
    assertThat(queue.poll().name()).isEqualTo("third");
  }

  @Test
  void aFullQueueRefusesMore() {
    for (int i = 0; i < 4; i++) {
      assertThat(queue.offer(new Item("x" + i, i))).isTrue();
    }
    assertThat(queue.offer(new Item("over", 0))).isFalse();
    assertThat(queue.size()).isEqualTo(4);
  }
}
