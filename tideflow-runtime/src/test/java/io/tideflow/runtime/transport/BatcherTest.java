package io.tideflow.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatcherTest {

  @Test
  void itemsAddedWhileADrainIsPendingTravelTogether() {
    List<Runnable> scheduled = new ArrayList<>();
    List<List<Integer>> batches = new ArrayList<>();
    Batcher<Integer> b = new Batcher<>(batches::add, i -> 1, 100, 1_000, scheduled::add);
    for (int i = 0; i < 5; i++) {
      b.add(i);
    }
    assertThat(scheduled).as("one drain for the burst").hasSize(1);
    scheduled.get(0).run();
    assertThat(batches).containsExactly(List.of(0, 1, 2, 3, 4));
  }

  @Test
  void batchesRespectTheItemAndByteBounds() {
    List<Runnable> scheduled = new ArrayList<>();
    List<List<Integer>> batches = new ArrayList<>();
    Batcher<Integer> b = new Batcher<>(batches::add, i -> i, 3, 10, scheduled::add);
    for (int size : new int[] {1, 1, 1, 1, 6, 6, 20}) {
      b.add(size);
    }
    scheduled.get(0).run();
    // 3 items max; 10 bytes max; an item larger than the bound goes alone.
    assertThat(batches).containsExactly(List.of(1, 1, 1), List.of(1, 6), List.of(6), List.of(20));
  }

  @Test
  void everyItemFromManyThreadsIsSentExactlyOnceAndSerially() throws Exception {
    AtomicInteger received = new AtomicInteger();
    AtomicInteger concurrentSinks = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    ExecutorService drains = Executors.newVirtualThreadPerTaskExecutor();
    Batcher<Integer> b =
        new Batcher<>(
            batch -> {
              if (concurrentSinks.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
              }
              received.addAndGet(batch.size());
              concurrentSinks.decrementAndGet();
            },
            i -> 1,
            64,
            1 << 20,
            drains);
    int threads = 8;
    int each = 20_000;
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      Thread.startVirtualThread(
          () -> {
            for (int i = 0; i < each; i++) {
              b.add(i);
            }
            done.countDown();
          });
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    org.awaitility.Awaitility.await().until(() -> received.get() == threads * each);
    assertThat(overlaps.get()).isZero();
    drains.shutdown();
  }

  @Test
  void itemsAfterTheExecutorShutDownAreCountedAsDropped() {
    ExecutorService drains = Executors.newSingleThreadExecutor();
    drains.shutdown();
    List<List<Integer>> batches = new ArrayList<>();
    Batcher<Integer> b = new Batcher<>(batches::add, i -> 1, 10, 100, drains);
    b.add(1);
    b.add(2);
    assertThat(b.dropped()).isEqualTo(1);
    assertThat(batches).isEmpty();
  }

  @Test
  void rejectsNonPositiveBounds() {
    assertThatThrownBy(() -> new Batcher<Integer>(x -> {}, i -> 1, 0, 1, Runnable::run))
        .hasMessage("maxItems must be > 0, was 0");
  }

  @Test
  void aDrainFedWithoutPauseStillLetsOtherWorkOnItsExecutorRun() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      AtomicInteger batches = new AtomicInteger();
      AtomicInteger batchesWhenOtherRan = new AtomicInteger(-1);
      CountDownLatch done = new CountDownLatch(1);
      Batcher<Integer>[] self = new Batcher[1];
      // Each batch of one item brings the next, as results do under load: the drain never
      // finds the queue empty until 1,000 batches have gone.
      self[0] =
          new Batcher<>(
              batch -> {
                int n = batches.incrementAndGet();
                if (n == 1) {
                  executor.execute(() -> batchesWhenOtherRan.set(batches.get()));
                }
                if (n < 1_000) {
                  self[0].add(n);
                } else {
                  done.countDown();
                }
              },
              i -> 1,
              1,
              1_000,
              executor);

      self[0].add(0);

      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(batchesWhenOtherRan.get())
          .as("the other task ran after at most a turn's worth of batches")
          .isBetween(1, 64);
    } finally {
      executor.shutdownNow();
    }
  }
}
