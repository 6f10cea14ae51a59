package io.tideflow.bench.endtoend;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A test backend whose every task completes a fixed delay after it is sent, on a timer thread. */
final class SlowBackend implements TaskBackend {

  private final long delayNanos;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  SlowBackend(Duration delay) {
    this.delayNanos = delay.toNanos();
  }

  @Override
  public String name() {
    return "slow";
  }

  @Override
  public CompletableFuture<?> submitNoop() {
    CompletableFuture<Object> result = new CompletableFuture<>();
    timer.schedule(() -> result.complete(null), delayNanos, TimeUnit.NANOSECONDS);
    return result;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
