package io.tideflow.cli;

import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.TideflowClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Sends tasks on a schedule (open loop) following a {@link LoadProfile}, whatever the cluster does,
 * and counts what comes back. Latencies go to a histogram the timeline takes each second.
 */
final class LoadGenerator {
  private final TideflowClient client;
  private final TaskSpec spec;
  private final LoadProfile profile;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final TaskLatencies latencies = new TaskLatencies();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile String firstFailure;
  private volatile double offered;

  LoadGenerator(TideflowClient client, TaskSpec spec, LoadProfile profile) {
    this.client = client;
    this.spec = spec;
    this.profile = profile;
  }

  void start() {
    Thread.ofPlatform().daemon().name("tideflow-demo-load").start(this::run);
  }

  private void run() {
    long start = System.nanoTime();
    double owed = 0;
    long last = start;
    while (true) {
      long now = System.nanoTime();
      double t = (now - start) / 1e9;
      if (t >= profile.seconds()) {
        break;
      }
      offered = profile.rateAt(t);
      owed += offered * (now - last) / 1e9;
      last = now;
      while (owed >= 1) {
        owed -= 1;
        send();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
    offered = 0;
    done.countDown();
  }

  private void send() {
    long t0 = System.nanoTime();
    sent.incrementAndGet();
    client
        .submit(spec)
        .whenComplete(
            (r, e) -> {
              if (e == null) {
                succeeded.incrementAndGet();
                latencies.record(System.nanoTime() - t0);
              } else {
                failed.incrementAndGet();
                if (firstFailure == null) {
                  firstFailure = TideflowCommand.describe(e);
                }
              }
            });
  }

  /** Waits up to {@code bound} for the schedule to end; true when it has. */
  boolean awaitFinished(Duration bound) throws InterruptedException {
    return done.await(bound.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits until every sent task has an outcome, at most {@code bound}. */
  void awaitAll(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (succeeded.get() + failed.get() < sent.get() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  double offered() {
    return offered;
  }

  long sent() {
    return sent.get();
  }

  long succeeded() {
    return succeeded.get();
  }

  long failed() {
    return failed.get();
  }

  String firstFailure() {
    return firstFailure;
  }

  /** Latencies of the tasks that succeeded since the last call, in microseconds. */
  Histogram drainLatencies() {
    return latencies.sinceLastCall();
  }
}
