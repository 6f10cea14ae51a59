package io.tideflow.cli.faults;

import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open-loop load from the test JVM: {@code rate} tasks a second of {@link CountingHandlers} for
 * {@code duration}, whatever the cluster does, each with an id {@code PREFIX-N} the execution logs
 * name. Sends in ticks of 10 ms from a timer, so the schedule does not bend to how fast answers
 * come.
 */
final class Load implements AutoCloseable {
  private static final long TICK_MILLIS = 10;

  private final TideflowClient client;
  private final String prefix;
  private final int total;
  private final int perTick;
  private final int work;
  private final Duration timeout;
  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private final CountDownLatch allSent = new CountDownLatch(1);
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("fault-load").factory());

  /** One task sent, and when and from where its answer came (written once, on answering). */
  private static final class Sent {
    final CompletableFuture<TaskResult> future;
    volatile long doneNanos;
    volatile String nodeId;

    Sent(CompletableFuture<TaskResult> future) {
      this.future = future;
    }
  }

  private Load(
      TideflowClient client, String prefix, int rate, Duration duration, int work, Duration t) {
    this.client = client;
    this.prefix = prefix;
    this.total = (int) (rate * duration.toMillis() / 1000);
    this.perTick = Math.max(1, (int) (rate * TICK_MILLIS / 1000));
    this.work = work;
    this.timeout = t;
  }

  /**
   * Starts sending {@code rate} tasks a second for {@code duration}; each counts primes below
   * {@code work} and may take {@code timeout} per attempt.
   */
  static Load start(
      TideflowClient client,
      String prefix,
      int rate,
      Duration duration,
      int work,
      Duration timeout) {
    Load load = new Load(client, prefix, rate, duration, work, timeout);
    load.timer.scheduleAtFixedRate(load::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    return load;
  }

  private void tick() {
    for (int i = 0; i < perTick; i++) {
      int n = next.getAndIncrement();
      if (n >= total) {
        allSent.countDown();
        timer.shutdown();
        return;
      }
      String id = prefix + "-" + n;
      Sent s =
          new Sent(
              client.submit(
                  TaskSpec.builder(CountingHandlers.NAME)
                      .payload(CountingHandlers.payload(id, work))
                      .timeout(timeout)
                      .build()));
      s.future.whenComplete(
          (r, e) -> {
            s.nodeId = r == null ? null : r.nodeId();
            s.doneNanos = System.nanoTime();
          });
      sent.add(s);
    }
  }

  int sentSoFar() {
    return sent.size();
  }

  int completedSoFar() {
    return (int) sent.stream().filter(s -> s.future.isDone()).count();
  }

  /** Tasks answered with a result by {@code nodeId} after {@code afterNanos} (System.nanoTime). */
  int answeredBy(String nodeId, long afterNanos) {
    return (int)
        sent.stream().filter(s -> s.doneNanos > afterNanos && nodeId.equals(s.nodeId)).count();
  }

  /** Waits for every task to be sent and answered, up to {@code atMost}, and tallies them. */
  Tally await(Duration atMost) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + atMost.toNanos();
    if (!allSent.await(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new TimeoutException("load " + prefix + " still sending after " + atMost);
    }
    try {
      CompletableFuture.allOf(sent.stream().map(s -> s.future).toArray(CompletableFuture[]::new))
          .exceptionally(e -> null) // each failure is tallied below, by its kind
          .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("unreachable: failures are tallied", e);
    } catch (TimeoutException e) {
      throw new TimeoutException(
          "load " + prefix + ": " + completedSoFar() + " of " + total + " answered in " + atMost);
    }
    return tally();
  }

  private Tally tally() {
    int completed = 0;
    int retried = 0;
    Map<String, Integer> failed = new TreeMap<>();
    Map<String, String> firstMessages = new TreeMap<>();
    long lastRetriedDone = 0;
    for (Sent s : sent) {
      try {
        TaskResult r = s.future.join();
        completed++;
        if (r.attempts() > 1) {
          retried++;
          lastRetriedDone = Math.max(lastRetriedDone, s.doneNanos);
        }
      } catch (CompletionException e) {
        String kind =
            e.getCause() instanceof TaskException t ? t.kind().name() : e.getCause().toString();
        failed.merge(kind, 1, Integer::sum);
        firstMessages.putIfAbsent(kind, String.valueOf(e.getCause().getMessage()));
      }
    }
    return new Tally(sent.size(), completed, failed, firstMessages, retried, lastRetriedDone);
  }

  /**
   * What came back.
   *
   * @param firstMessageByKind what the first failure of each kind said
   * @param retried tasks that needed more than one attempt
   * @param lastRetriedDoneNanos when the last of those was answered (System.nanoTime), 0 if none
   */
  record Tally(
      int submitted,
      int completed,
      Map<String, Integer> failedByKind,
      Map<String, String> firstMessageByKind,
      int retried,
      long lastRetriedDoneNanos) {
    int failed() {
      return failedByKind.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
