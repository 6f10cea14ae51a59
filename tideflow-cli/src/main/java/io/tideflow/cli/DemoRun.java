package io.tideflow.cli;

import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskResult;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.HdrHistogram.Histogram;

/** Submits the demo's tasks through a window, shows progress, and checks every result. */
final class DemoRun {
  private final TideflowClient client;
  private final int tasks;
  private final Semaphore window;
  private final String expected;
  private final TaskLatencies latencies = new TaskLatencies();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger wrong = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final CountDownLatch finished;
  private volatile String firstFailure;
  private IntConsumer progress = done -> {};

  DemoRun(TideflowClient client, int tasks, int concurrency, String expected) {
    this.client = client;
    this.tasks = tasks;
    this.window = DemoCommand.window(concurrency);
    this.expected = expected;
    this.finished = new CountDownLatch(tasks);
  }

  void onProgress(IntConsumer listener) {
    this.progress = listener;
  }

  /** What a run achieved. */
  record Summary(
      int submitted,
      int completed,
      long retried,
      int lost,
      double seconds,
      long p50Micros,
      long p99Micros,
      String firstFailure) {
    void print(PrintStream out) {
      out.printf(
          "%nsubmitted %,d  completed %,d  retried %,d  lost %,d%n",
          submitted, completed, retried, lost);
      out.printf(
          "throughput %,.0f tasks/s over %.1f s   latency p50 %.2f ms  p99 %.2f ms%n",
          completed / seconds, seconds, p50Micros / 1000.0, p99Micros / 1000.0);
      if (firstFailure != null) {
        out.println("first failure: " + firstFailure);
      }
      out.println(lost == 0 ? "OK: no task was lost" : "FAILED: " + lost + " task(s) lost");
    }
  }

  Summary execute(TaskSpec spec, PrintStream out) throws InterruptedException {
    long start = System.nanoTime();
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tideflow-demo-progress").factory());
    ticker.scheduleAtFixedRate(() -> printLine(out, start), 0, 500, TimeUnit.MILLISECONDS);
    for (int i = 0; i < tasks; i++) {
      if (!DemoCommand.acquire(window)) {
        throw new IllegalStateException("no task finished within 120 s: the cluster is stuck");
      }
      int index = i;
      long sent = System.nanoTime();
      CompletableFuture<TaskResult> f = client.submit(spec);
      f.whenComplete((r, e) -> finish(index, sent, r, e));
    }
    boolean all = finished.await(5, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    ticker.shutdownNow();
    ticker.awaitTermination(1, TimeUnit.SECONDS);
    printLine(out, start);
    out.println();
    Histogram latency = latencies.sinceLastCall();
    int completed = done.get() - failed.get() - wrong.get();
    int lost = tasks - completed;
    if (!all && firstFailure == null) {
      firstFailure = (tasks - done.get()) + " task(s) never finished";
    }
    return new Summary(
        tasks,
        completed,
        client.stats().retried(),
        lost,
        seconds,
        TaskLatencies.micros(latency, 50),
        TaskLatencies.micros(latency, 99),
        firstFailure);
  }

  private void finish(int index, long sent, TaskResult result, Throwable error) {
    latencies.record(System.nanoTime() - sent);
    int n = done.getAndIncrement();
    if (error != null) {
      failed.incrementAndGet();
      if (firstFailure == null) {
        firstFailure = "task " + index + ": " + TideflowCommand.describe(error);
      }
    } else if (!expected.equals(new String(result.output(), StandardCharsets.US_ASCII))) {
      wrong.incrementAndGet();
      if (firstFailure == null) {
        firstFailure = "task " + index + " returned a wrong answer";
      }
    }
    window.release();
    finished.countDown();
    progress.accept(n + 1);
  }

  private void printLine(PrintStream out, long start) {
    TideflowClient.Stats s = client.stats();
    double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
    long ready = client.view().countByState().get(NodeState.READY);
    out.printf(
        "\r%5.1fs  done %,7d/%,d  in flight %4d  retried %,5d  failed %,d  nodes READY %d  %,8.0f tasks/s   ",
        seconds,
        done.get(),
        tasks,
        s.inFlight(),
        s.retried(),
        failed.get(),
        ready,
        done.get() / seconds);
    out.flush();
  }
}
