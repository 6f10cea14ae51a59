package io.tideflow.bench.endtoend;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Offers no-op tasks to a {@link TaskBackend} and measures what comes back, in one of two ways:
 *
 * <ul>
 *   <li>{@linkplain #closedLoop closed loop}: a fixed window of tasks in flight; each completion
 *       lets the next task go. This finds the peak rate, and the latency at that rate.
 *   <li>{@linkplain #openLoop open loop}: tasks sent on a fixed schedule whatever happens to
 *       earlier ones, latency measured from each task's <em>intended</em> send time, so a stall
 *       shows up in every task that should have been sent during it (no coordinated omission). This
 *       answers "what latency does a user see at this rate".
 * </ul>
 *
 * <p>Each run has a warm-up (sent and completed like the rest, not counted) followed by the
 * measured phase, and is bounded: in time (warm-up + measured duration + the drain timeout), in
 * tasks sent per phase, and in tasks in flight (the window; in an open loop too, where a full
 * window delays sends and so counts against latency). A progress line goes to the given stream
 * every second.
 *
 * <p>Threading: a runner does one run at a time, on the calling thread, which is the only thread
 * that sends. Completions are recorded on whatever threads the backend completes its futures on.
 */
public final class LoadRunner {
  /** Shortest park of the open loop between sends: 100 µs. */
  static final long MIN_PARK_NANOS = 100_000;

  /** Latencies above a minute are recorded as a minute; no sane no-op task takes that long. */
  static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Three significant digits: p99.9 of 1.234 ms is told from 1.235 ms. */
  static final int SIGNIFICANT_DIGITS = 3;

  /** Default bound on tasks sent in one phase, far above what 2 cores do in a minute. */
  public static final long DEFAULT_MAX_TASKS = 1_000_000_000L;

  /** Default time to wait for tasks still in flight when a phase ends. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  private static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final TaskBackend backend;
  private final PrintStream progress;
  private final Duration drainTimeout;
  private final long maxTasks;

  /** A runner with the default drain timeout and task bound. */
  public LoadRunner(TaskBackend backend, PrintStream progress) {
    this(backend, progress, DEFAULT_DRAIN_TIMEOUT, DEFAULT_MAX_TASKS);
  }

  /**
   * A runner for one backend.
   *
   * @param progress where the per-second progress lines go
   * @param drainTimeout how long to wait for tasks in flight at the end of a run
   * @param maxTasks the most tasks sent in one phase (warm-up or measured)
   */
  public LoadRunner(
      TaskBackend backend, PrintStream progress, Duration drainTimeout, long maxTasks) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.progress = Objects.requireNonNull(progress, "progress");
    this.drainTimeout = requirePositive(drainTimeout, "drainTimeout");
    if (maxTasks <= 0) {
      throw new IllegalArgumentException("maxTasks must be > 0, was " + maxTasks);
    }
    this.maxTasks = maxTasks;
  }

  /**
   * Keeps {@code window} tasks in flight for the warm-up, then for the measured duration, then
   * waits for the stragglers. Latency is from send to completion.
   */
  public LoadResult closedLoop(String label, int window, Duration warmup, Duration measure)
      throws InterruptedException {
    requirePositive(window, "window");
    requireNotNegative(warmup, "warmup");
    requirePositive(measure, "measure");
    Semaphore permits = new Semaphore(window);
    Phase warm = new Phase(label + " warm-up", permits, window);
    sendClosed(warm, System.nanoTime() + warmup.toNanos());
    Phase measured = new Phase(label, permits, window);
    sendClosed(measured, measured.startNanos + measure.toNanos());
    drain(permits, window);
    return measured.result(LoadResult.Mode.CLOSED, 0, 0);
  }

  /**
   * Sends tasks at {@code ratePerSecond} on a fixed schedule for the warm-up and the measured
   * duration, then waits for the stragglers. Latency is from each task's intended send time. If the
   * backend cannot keep up, sends fall behind the schedule (and latency grows accordingly) until
   * the drain timeout past the schedule's end; tasks never sent by then are reported as {@link
   * LoadResult#missed()}.
   *
   * @param window the most tasks in flight at once; a full window delays sends
   */
  public LoadResult openLoop(
      String label, double ratePerSecond, int window, Duration warmup, Duration measure)
      throws InterruptedException {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("ratePerSecond must be > 0, was " + ratePerSecond);
    }
    requirePositive(window, "window");
    requireNotNegative(warmup, "warmup");
    requirePositive(measure, "measure");
    Semaphore permits = new Semaphore(window);
    double gapNanos = 1e9 / ratePerSecond;
    long start = System.nanoTime();
    long measureStart = start + warmup.toNanos();
    long scheduleEnd = measureStart + measure.toNanos();
    long hardDeadline = scheduleEnd + drainTimeout.toNanos();
    Phase warm = new Phase(label + " warm-up", permits, window);
    Phase measured = new Phase(label, permits, window, measureStart);
    long missed = 0;
    long nextReport = start + REPORT_INTERVAL_NANOS;
    for (long i = 0; ; ) {
      long intended = start + (long) (i * gapNanos);
      if (intended - scheduleEnd >= 0) {
        break;
      }
      Phase phase = intended - measureStart < 0 ? warm : measured;
      long now = System.nanoTime();
      if (now - nextReport >= 0) {
        // The report due as the measured phase begins still belongs to the warm-up.
        report(now - measureStart < REPORT_INTERVAL_NANOS / 2 ? warm : measured, now);
        nextReport = nextReportAfter(nextReport, now);
      }
      if (now - hardDeadline >= 0 || phase.submitted >= maxTasks) {
        long firstUnsent = Math.max(intended, measureStart);
        missed = (long) Math.ceil((scheduleEnd - firstUnsent) / gapNanos);
        break;
      }
      if (now - intended < 0) {
        // Not due yet. Park at least MIN_PARK_NANOS: parking for the few microseconds between
        // sends at high rates turns into a futex call per task and keeps a whole core busy, which
        // on 2 cores starves the backend under test. The tasks due by wake-up go out back to back
        // and their latency, counted from the schedule, includes the oversleep.
        LockSupport.parkNanos(Math.max(MIN_PARK_NANOS, Math.min(intended, nextReport) - now));
        throwIfInterrupted();
        continue;
      }
      if (!permits.tryAcquire()
          && !permits.tryAcquire(Math.min(nextReport, hardDeadline) - now, TimeUnit.NANOSECONDS)) {
        continue;
      }
      phase.sendLag.recordValue(
          Math.min(Math.max(System.nanoTime() - intended, 0), HIGHEST_TRACKABLE_NANOS));
      send(phase, intended);
      i++;
    }
    drain(permits, window);
    return measured.result(LoadResult.Mode.OPEN, ratePerSecond, missed);
  }

  private void sendClosed(Phase phase, long deadline) throws InterruptedException {
    long nextReport = phase.startNanos + REPORT_INTERVAL_NANOS;
    Semaphore permits = phase.permits;
    while (true) {
      long now = System.nanoTime();
      if (now - nextReport >= 0) {
        report(phase, now);
        nextReport = nextReportAfter(nextReport, now);
      }
      if (now - deadline >= 0 || phase.submitted >= maxTasks) {
        return;
      }
      if (!permits.tryAcquire()
          && !permits.tryAcquire(Math.min(deadline, nextReport) - now, TimeUnit.NANOSECONDS)) {
        continue;
      }
      send(phase, System.nanoTime());
    }
  }

  /** Hands one task to the backend; the caller holds a permit, which the completion returns. */
  private void send(Phase phase, long startNanos) {
    phase.submitted++;
    CompletableFuture<?> future;
    try {
      future = backend.submitNoop();
    } catch (RuntimeException e) {
      // A refused submission is a failed task: counted, its permit returned, the run goes on.
      phase.complete(startNanos, e);
      return;
    }
    if (future == null) {
      throw new IllegalStateException(backend.name() + ".submitNoop() returned null");
    }
    future.whenComplete((ignored, error) -> phase.complete(startNanos, error));
  }

  /** Waits until every permit is back, i.e. nothing is in flight, or the drain timeout passes. */
  private void drain(Semaphore permits, int window) throws InterruptedException {
    if (permits.tryAcquire(window, drainTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
      permits.release(window);
    } else {
      progress.printf(
          "warning: %d task(s) still in flight after waiting %s; counted as unfinished%n",
          window - permits.availablePermits(), drainTimeout);
    }
  }

  private void report(Phase phase, long now) {
    Histogram interval = phase.takeInterval();
    double seconds = (now - phase.lastReportNanos) / 1e9;
    phase.lastReportNanos = now;
    progress.printf(
        Locale.ROOT,
        "[%s] %3d s %,13.0f tasks/s  p50 %-9s p99 %-9s in flight %,6d  failed %,d%n",
        phase.label,
        Math.round((now - phase.startNanos) / 1e9),
        interval.getTotalCount() / seconds,
        LatencyFormat.format(interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(50)),
        LatencyFormat.format(interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99)),
        phase.window - phase.permits.availablePermits(),
        phase.failed.sum());
  }

  private static long nextReportAfter(long previous, long now) {
    long next = previous + REPORT_INTERVAL_NANOS;
    // After a stall longer than an interval, skip the missed reports instead of printing a burst.
    return next - now > 0 ? next : now + REPORT_INTERVAL_NANOS;
  }

  private static void throwIfInterrupted() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("load run interrupted");
    }
  }

  private static int requirePositive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return value;
  }

  private static Duration requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return value;
  }

  private static void requireNotNegative(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + value);
    }
  }

  /**
   * The tasks of one phase and what became of them. The sending thread owns {@code submitted}, the
   * report fields, {@code total} and {@code sendLag}; completions touch only the recorder, the
   * adders and {@code firstError}, all safe from any thread.
   */
  private static final class Phase {
    final String label;
    final Semaphore permits;
    final int window;
    final long startNanos;
    final Recorder recorder = new Recorder(HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    final LongAdder completed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final AtomicReference<Throwable> firstError = new AtomicReference<>();
    final Histogram total = new Histogram(HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    final Histogram sendLag = new Histogram(HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    Histogram interval;
    long submitted;
    long lastReportNanos;

    Phase(String label, Semaphore permits, int window) {
      this(label, permits, window, System.nanoTime());
    }

    Phase(String label, Semaphore permits, int window, long startNanos) {
      this.label = label;
      this.permits = permits;
      this.window = window;
      this.startNanos = startNanos;
      this.lastReportNanos = startNanos;
    }

    /** Called once per task, on the thread that completed it (or the sender, if sending threw). */
    void complete(long startNanos, Throwable error) {
      if (error == null) {
        long latency = System.nanoTime() - startNanos;
        recorder.recordValue(Math.min(Math.max(latency, 0), HIGHEST_TRACKABLE_NANOS));
        completed.increment();
      } else {
        failed.increment();
        firstError.compareAndSet(null, error);
      }
      // Last: once the sender holds every permit again, the counts above are visible to it.
      permits.release();
    }

    /** Moves what the recorder holds into the phase total and returns just that interval. */
    Histogram takeInterval() {
      interval = recorder.getIntervalHistogram(interval);
      total.add(interval);
      return interval;
    }

    LoadResult result(LoadResult.Mode mode, double targetRate, long missed) {
      takeInterval();
      long elapsed = Math.max(1, System.nanoTime() - startNanos);
      Throwable error = firstError.get();
      return new LoadResult(
          label,
          mode,
          window,
          targetRate,
          submitted,
          completed.sum(),
          failed.sum(),
          missed,
          elapsed,
          total,
          sendLag,
          error == null ? "" : error.toString());
    }
  }
}
