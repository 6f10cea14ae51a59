package io.tideflow.runtime.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.store.ManualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
  private final ManualClock clock = new ManualClock();

  @Test
  void aDeadlineFiresOnlyOnceTheClockIsPastIt() {
    try (Deadlines deadlines = new Deadlines(clock, Duration.ofMillis(10), "deadlines-test")) {
      CompletableFuture<Void> due = deadlines.after(Duration.ofMinutes(5));
      clock.advance(Duration.ofMinutes(5));
      deadlines.check();
      assertThat(due).isNotDone();
      clock.advance(Duration.ofMillis(1));
      deadlines.check();
      assertThat(due).isCompleted();
    }
  }

  @Test
  void whatWaitsWhenClosedStillFiresOnRealTime() {
    Deadlines deadlines = new Deadlines(clock, Duration.ofMillis(10), "deadlines-test");
    CompletableFuture<Void> pending = deadlines.after(Duration.ofMillis(50));
    deadlines.close();
    // The manual clock never moves: only the real-time fallback can complete these.
    CompletableFuture<Void> afterClose = deadlines.after(Duration.ofMillis(50));
    await().atMost(Duration.ofSeconds(5)).until(() -> pending.isDone() && afterClose.isDone());
  }
}
