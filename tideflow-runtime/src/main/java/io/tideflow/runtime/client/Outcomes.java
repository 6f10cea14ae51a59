package io.tideflow.runtime.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskException.Kind;
import io.tideflow.runtime.task.TaskResult;
import java.util.concurrent.TimeUnit;

/**
 * Ends tasks and counts how they ended. Each attempt's future is completed once, by whoever wins
 * {@link TaskAttempt#settle()}, and only after the counter that says so has moved, so the counts
 * read through {@link TideflowClient#stats()} never lag the futures.
 *
 * <p>Any thread calls it; its only state is Micrometer's meters, which are thread-safe. It does not
 * release what an attempt holds on its node: the {@link Dispatcher} does that before it calls here.
 */
final class Outcomes {
  private final Counter submitted;
  private final Counter completed;
  private final Counter failed;
  private final Counter retried;
  private final Timer latency;

  Outcomes(MeterRegistry metrics) {
    this.submitted = Counter.builder("tideflow.tasks.submitted").register(metrics);
    this.completed = Counter.builder("tideflow.tasks.completed").register(metrics);
    this.failed = Counter.builder("tideflow.tasks.failed").register(metrics);
    this.retried = Counter.builder("tideflow.tasks.retried").register(metrics);
    this.latency =
        Timer.builder("tideflow.tasks.latency")
            .description("From submit to result")
            .publishPercentileHistogram()
            .register(metrics);
  }

  void submitted() {
    submitted.increment();
  }

  void retried() {
    retried.increment();
  }

  /**
   * Completes {@code t}'s future unless it settled already; {@code onSettled} runs first, once,
   * when this call settles it.
   */
  void succeed(TaskAttempt t, String nodeId, byte[] output, long nowNanos, Runnable onSettled) {
    if (t.settle()) {
      onSettled.run();
      completed.increment();
      latency.record(ClientClock.elapsed(t.submittedNanos, nowNanos), TimeUnit.NANOSECONDS);
      t.future.complete(new TaskResult(output, nodeId, t.attempts));
    }
  }

  /** Fails {@code t}'s future unless it settled already; {@code onSettled} as for succeed. */
  void fail(TaskAttempt t, Kind kind, String message, Runnable onSettled) {
    if (t.settle()) {
      onSettled.run();
      failed.increment();
      t.future.completeExceptionally(new TaskException(kind, message));
    }
  }

  TideflowClient.Stats stats(int waiting, int inFlight) {
    return new TideflowClient.Stats(
        (long) submitted.count(),
        (long) completed.count(),
        (long) failed.count(),
        (long) retried.count(),
        waiting,
        inFlight);
  }
}
