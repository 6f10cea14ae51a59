package io.tideflow.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The results' one writer: in order, on one thread, without a lock, with a periodic task. */
class WriteLoopTest {
  private WriteLoop loop;

  @AfterEach
  void stop() {
    if (loop != null) {
      loop.shutdownNow();
    }
  }

  @Test
  void runsWhatItIsHandedInOrderOnItsOneThread() throws Exception {
    loop = new WriteLoop("test-write").start();
    List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
    AtomicReference<String> threadName = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    for (int i = 0; i < 1_000; i++) {
      int n = i;
      loop.execute(
          () -> {
            threadName.compareAndSet(null, Thread.currentThread().getName());
            ran.add(n);
          });
    }
    loop.execute(done::countDown);
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).hasSize(1_000).isSorted();
    assertThat(threadName.get()).isEqualTo("test-write");
  }

  @Test
  void whatIsHandedBeforeStartRunsOnceStarted() throws Exception {
    loop = new WriteLoop("test-write");
    CountDownLatch ran = new CountDownLatch(1);
    loop.execute(ran::countDown);
    assertThat(ran.getCount()).as("not started: nothing runs").isEqualTo(1);
    loop.start();
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void everyTaskFromManyVirtualThreadsRunsExactlyOnce() throws Exception {
    loop = new WriteLoop("test-write").start();
    AtomicInteger ran = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicBoolean overlapped = new AtomicBoolean();
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < 64; t++) {
      producers.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; i < 500; i++) {
                      loop.execute(
                          () -> {
                            if (running.incrementAndGet() > 1) {
                              overlapped.set(true);
                            }
                            ran.incrementAndGet();
                            running.decrementAndGet();
                          });
                    }
                  }));
    }
    for (Thread p : producers) {
      p.join();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 64 * 500);
    assertThat(overlapped).as("one task at a time").isFalse();
  }

  @Test
  void thePeriodicTaskRunsWhileTasksKeepComing() throws Exception {
    AtomicInteger beats = new AtomicInteger();
    loop = new WriteLoop("test-write").start(beats::incrementAndGet, Duration.ofMillis(20));
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicInteger handed = new AtomicInteger();
    Thread flood =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (flooding.get()) {
                    loop.execute(Thread::onSpinWait);
                    handed.incrementAndGet();
                  }
                });
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> beats.get() >= 5);
      assertThat(handed.get()).as("the loop was kept busy meanwhile").isPositive();
    } finally {
      flooding.set(false);
      flood.join();
    }
  }

  @Test
  void thePeriodicTaskRunsWhenNothingElseComes() {
    AtomicInteger beats = new AtomicInteger();
    loop = new WriteLoop("test-write").start(beats::incrementAndGet, Duration.ofMillis(10));
    await().atMost(Duration.ofSeconds(10)).until(() -> beats.get() >= 3);
  }

  @Test
  void aTaskThatThrowsDoesNotEndTheLoop() throws Exception {
    loop = new WriteLoop("test-write").start();
    loop.execute(
        () -> {
          throw new IllegalStateException("a failing write");
        });
    CountDownLatch after = new CountDownLatch(1);
    loop.execute(after::countDown);
    assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shutdownRunsWhatWasHandedThenRefusesMoreAndEnds() throws Exception {
    loop = new WriteLoop("test-write");
    AtomicInteger ran = new AtomicInteger();
    for (int i = 0; i < 100; i++) {
      loop.execute(ran::incrementAndGet);
    }
    loop.start();
    loop.shutdown();
    assertThat(loop.awaitTermination(Duration.ofSeconds(10))).isTrue();
    assertThat(ran).hasValue(100);
    assertThat(loop.isShutdown()).isTrue();
    assertThatThrownBy(() -> loop.execute(ran::incrementAndGet))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("test-write");
  }

  @Test
  void shutdownNowDropsWhatWaits() throws Exception {
    loop = new WriteLoop("test-write");
    AtomicInteger ran = new AtomicInteger();
    for (int i = 0; i < 100; i++) {
      loop.execute(ran::incrementAndGet);
    }
    loop.shutdownNow();
    loop.start();
    assertThat(loop.awaitTermination(Duration.ofSeconds(10))).isTrue();
    assertThat(ran).hasValue(0);
    assertThatThrownBy(() -> loop.execute(ran::incrementAndGet))
        .isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void aHandOffRacingTheShutdownEitherRunsOrIsRefused() throws Exception {
    for (int round = 0; round < 50; round++) {
      WriteLoop l = new WriteLoop("test-write-" + round).start();
      AtomicInteger ran = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      Thread producer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < 2_000; i++) {
                      try {
                        l.execute(ran::incrementAndGet);
                      } catch (RejectedExecutionException e) {
                        refused.incrementAndGet();
                      }
                    }
                  });
      l.shutdown();
      producer.join();
      assertThat(l.awaitTermination(Duration.ofSeconds(10))).isTrue();
      assertThat(ran.get() + refused.get()).as("none stranded, round " + round).isEqualTo(2_000);
    }
  }

  @Test
  void aPeriodMustBePositive() {
    WriteLoop l = new WriteLoop("test-write");
    assertThatThrownBy(() -> l.start(() -> {}, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("period");
  }
}
