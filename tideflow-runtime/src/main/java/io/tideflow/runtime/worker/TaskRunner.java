package io.tideflow.runtime.worker;

import io.tideflow.runtime.task.TaskHandler;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.runtime.transport.proto.ErrorCode;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskMessage;
import io.tideflow.runtime.worker.Rejections.Reason;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Runs tasks on virtual threads, at most {@code maxConcurrent} at once; the rest wait in a {@link
 * RunQueue} (earliest deadline first) that the running threads work off before they end. What it
 * takes is bounded by its {@link Admission}: a task beyond {@code maxAdmittedTasks} queued and
 * running, or beyond {@code maxAdmittedBytes} of their payloads, is answered {@code OVERLOADED} at
 * once and never queued, so the client re-places it while it still has time. Remembers results by
 * handler and idempotency key ({@link Dedup}), so a retried task that reaches this worker again
 * gets the first run's result without running twice (best effort and per worker).
 *
 * <p>Each task's timeout holds here too, counted from its arrival: a task still queued at its
 * deadline is answered {@code TIMED_OUT} without running; one still running is answered {@code
 * TIMED_OUT} by {@link #expire} and its thread interrupted. Either way the client gets its credit
 * back, so a hung handler cannot hold a stream's credits; a handler that ignores the interrupt
 * keeps its slot (and its admission) until it returns (counted by {@link #overdue()}). Both the
 * queue and the running tasks are kept in deadline order, so {@link #expire} looks only at what is
 * past its deadline, not at every task. Deadlines are read from the injected clock; {@link
 * #startExpiry} only decides how often, in real time, to look.
 *
 * <p>{@link #submit} is called on gRPC's event loop and never blocks.
 */
final class TaskRunner {
  /** A job's deadline when its task has no timeout. */
  private static final long NO_DEADLINE = Job.NO_DEADLINE;

  private static final Comparator<Job> BY_DEADLINE =
      Comparator.<Job>comparingLong(j -> j.deadlineMillis).thenComparingLong(j -> j.seq);

  private final TaskHandlers handlers;
  private final InstantSource clock;
  private final Semaphore slots;
  private final Admission admission;
  private final RunQueue<Job> queue;
  private final Rejections rejections = new Rejections();
  private final AtomicLong seqs = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();

  /** Payload bytes taken in and output bytes sent out, since the runner started. */
  private final java.util.concurrent.atomic.LongAdder bytesMoved =
      new java.util.concurrent.atomic.LongAdder();

  private final AtomicLong deduplicated = new AtomicLong();
  private final AtomicLong undeduplicated = new AtomicLong();
  private final Set<Thread> running = ConcurrentHashMap.newKeySet();

  /** Running jobs that have a deadline, earliest first, for {@link #expire}. */
  private final NavigableSet<Job> executing = new ConcurrentSkipListSet<>(BY_DEADLINE);

  /** Running jobs already answered TIMED_OUT whose handler has not returned. */
  private final Set<Job> overdueJobs = ConcurrentHashMap.newKeySet();

  private final AtomicLong timedOut = new AtomicLong();
  private final Dedup dedup;
  private volatile ScheduledExecutorService expiry;
  private volatile boolean stopped;

  /** Without admission limits beyond the queue's own; for tests of other concerns. */
  TaskRunner(TaskHandlers handlers, int maxConcurrent, int dedupEntries, InstantSource clock) {
    this(handlers, maxConcurrent, dedupEntries, Integer.MAX_VALUE - 1, Long.MAX_VALUE, clock);
  }

  TaskRunner(
      TaskHandlers handlers,
      int maxConcurrent,
      int dedupEntries,
      int maxAdmittedTasks,
      long maxAdmittedBytes,
      InstantSource clock) {
    this.handlers = handlers;
    this.clock = clock;
    this.slots = new Semaphore(maxConcurrent);
    this.dedup = new Dedup(dedupEntries);
    this.admission = new Admission(maxAdmittedTasks, maxAdmittedBytes);
    // Admission bounds the queue already; the queue's own bound is the same figure, kept as a
    // second line should the two ever disagree.
    this.queue = new RunQueue<>(maxAdmittedTasks, j -> j.deadlineMillis);
  }

  /**
   * Looks for tasks past their deadline every {@code periodMillis} of real time, on a platform
   * thread of its own, so neither result sending nor CPU-bound handlers delay it. Stopped by {@link
   * #stop()}.
   */
  void startExpiry(String name, long periodMillis) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tideflow-expiry-" + name).factory());
    timer.scheduleWithFixedDelay(
        () -> expire(clock.millis()), periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    expiry = timer;
  }

  /** Runs {@code task} and hands its result to {@code reply}, on some thread, exactly once. */
  void submit(TaskMessage task, Consumer<ResultMessage> replyTo) {
    Consumer<ResultMessage> reply = replyTo;
    String overLimit = overLimit(task);
    if (overLimit != null) {
      rejections.count(Reason.TOO_LARGE);
      reply.accept(error(task.getId(), ErrorCode.TOO_LARGE, overLimit));
      return;
    }
    TaskHandler handler = handlers.get(task.getHandler());
    if (handler == null) {
      rejections.count(Reason.UNKNOWN_HANDLER);
      reply.accept(
          error(
              task.getId(),
              ErrorCode.UNKNOWN_HANDLER,
              "unknown handler '" + task.getHandler() + "'; this worker has " + handlers.names()));
      return;
    }
    int bytes = task.getPayload().size();
    String refused = admission.tryAdmit(bytes);
    if (refused != null) {
      rejections.count(Reason.OVERLOADED);
      reply.accept(error(task.getId(), ErrorCode.OVERLOADED, refused));
      return;
    }
    bytesMoved.add(bytes);
    String key = task.getIdempotencyKey();
    if (!key.isEmpty()) {
      Dedup.Key scope = new Dedup.Key(task.getHandler(), key);
      CompletableFuture<ResultMessage> mine = new CompletableFuture<>();
      Dedup.Claim claim = dedup.claim(scope, mine);
      if (claim.earlier() != null) {
        admission.release(bytes); // nothing runs: the earlier run answers
        deduplicated.incrementAndGet();
        claim.earlier().thenAccept(r -> replyTo.accept(r.toBuilder().setId(task.getId()).build()));
        return;
      }
      if (claim.claimed()) {
        reply =
            r -> {
              if (r.getError() == ErrorCode.REJECTED_DRAINING
                  || r.getError() == ErrorCode.TIMED_OUT
                  || r.getError() == ErrorCode.OVERLOADED) {
                // Not run here (or cut short): a later attempt may run it.
                dedup.remove(scope, mine);
              } else {
                dedup.finish(scope, mine);
              }
              mine.complete(r);
              replyTo.accept(r);
            };
      } else {
        // Every entry belongs to a task that still runs: this one runs without dedup.
        undeduplicated.incrementAndGet();
      }
    }
    schedule(
        new Job(task, handler, reply, deadline(task.getTimeoutMillis()), seqs.incrementAndGet()));
  }

  /** Which of the task's fields exceeds its limit, as a sentence; null when all fit. */
  static String overLimit(TaskMessage task) {
    return WireLimits.overLimit(task.getHandler(), task.getIdempotencyKey());
  }

  /**
   * The clock's millis at which a task arriving now with {@code timeoutMillis} is past it. The
   * clock is read only for tasks that have a timeout; millis, not an {@code Instant}, because this
   * runs once per task on the event loop and the system clock gives millis without allocating.
   */
  private long deadline(long timeoutMillis) {
    if (timeoutMillis <= 0) {
      return NO_DEADLINE;
    }
    long now = clock.millis();
    // Saturates instead of wrapping: a timeout too long to add means no deadline in effect.
    return now > NO_DEADLINE - timeoutMillis ? NO_DEADLINE : now + timeoutMillis;
  }

  /**
   * Answers {@code TIMED_OUT} for every running task past its deadline and interrupts its thread,
   * and for every queued one past its deadline. Looks only at what is overdue: both are kept in
   * deadline order.
   *
   * @param nowMillis the clock's time, in the millis of {@link InstantSource#millis()}
   * @return how many tasks it timed out
   */
  int expire(long nowMillis) {
    int n = 0;
    Job job;
    while ((job = firstOrNull()) != null && job.overdue(nowMillis)) {
      // Marked overdue before it leaves the deadline set, so the gauge never misses it; when the
      // job's own thread took it out first, it has finished and is not overdue.
      overdueJobs.add(job);
      if (!executing.remove(job)) {
        overdueJobs.remove(job);
        continue;
      }
      if (job.answer(
          error(
              job.task.getId(),
              ErrorCode.TIMED_OUT,
              "task exceeded its timeout of "
                  + job.task.getTimeoutMillis()
                  + " ms on the worker and was interrupted"))) {
        job.interrupt();
        timedOut.incrementAndGet();
        n++;
      } else {
        overdueJobs.remove(job);
      }
    }
    // Queued ones too: while handlers that ignore interrupts hold every slot, nothing dequeues
    // them, and unanswered they would keep their credits.
    for (Job queued : queue.pollExpired(nowMillis)) {
      expireQueued(queued);
      n++;
    }
    return n;
  }

  private Job firstOrNull() {
    try {
      return executing.first();
    } catch (NoSuchElementException e) {
      return null; // empty: nothing runs with a deadline
    }
  }

  /** Lets go of what admission counted for {@code job}; once, when it leaves the runner. */
  private void leave(Job job) {
    admission.release(job.task.getPayload().size());
  }

  /** Answers a job that waited past its deadline without running. */
  private void expireQueued(Job job) {
    timedOut.incrementAndGet();
    leave(job);
    job.answer(
        error(
            job.task.getId(),
            ErrorCode.TIMED_OUT,
            "task waited past its timeout of "
                + job.task.getTimeoutMillis()
                + " ms in the worker's queue and did not run"));
  }

  /** Tasks answered TIMED_OUT whose handler has not returned yet. */
  int overdue() {
    return overdueJobs.size();
  }

  long timedOut() {
    return timedOut.get();
  }

  private void schedule(Job job) {
    if (slots.tryAcquire()) {
      startThread(job);
      return;
    }
    if (!queue.offer(job)) {
      leave(job);
      rejections.count(Reason.OVERLOADED);
      job.answer(error(job.task.getId(), ErrorCode.OVERLOADED, "worker overloaded: queue full"));
      return;
    }
    // A thread may have finished between the failed tryAcquire and the add: take over if so.
    if (slots.tryAcquire()) {
      Job next = queue.poll();
      if (next != null) {
        startThread(next);
      } else {
        slots.release();
      }
    }
  }

  private void startThread(Job first) {
    Thread.ofVirtual()
        .name("tideflow-task")
        .start(
            () -> {
              Thread me = Thread.currentThread();
              running.add(me);
              try {
                for (Job job = first; job != null; job = queue.poll()) {
                  run(job);
                  // Let other virtual threads (tasks that just arrived, blocked ones waking up)
                  // have the carrier between jobs, so a long queue is worked off fairly.
                  Thread.yield();
                }
              } finally {
                running.remove(me);
                slots.release();
                // Whatever ended this thread, queued jobs must not be stranded.
                if (!queue.isEmpty() && slots.tryAcquire()) {
                  Job next = queue.poll();
                  if (next != null) {
                    startThread(next);
                  } else {
                    slots.release();
                  }
                }
              }
            });
  }

  private void run(Job job) {
    TaskMessage task = job.task;
    ResultMessage result;
    if (stopped) {
      rejections.count(Reason.DRAINING);
      result = error(task.getId(), ErrorCode.REJECTED_DRAINING, "worker stopped");
    } else if (job.hasDeadline() && job.overdue(clock.millis())) {
      expireQueued(job);
      return;
    } else {
      Thread me = Thread.currentThread();
      job.bind(me);
      if (job.hasDeadline()) {
        executing.add(job);
      }
      try {
        result = Execution.run(task, job.handler);
      } finally {
        executing.remove(job);
        overdueJobs.remove(job);
        job.bind(null);
        if (!stopped) {
          Thread.interrupted(); // a timeout's interrupt must not reach the next job
        }
      }
    }
    leave(job);
    completed.incrementAndGet();
    bytesMoved.add(result.getOutput().size());
    job.answer(result);
  }

  static ResultMessage error(long id, ErrorCode code, String message) {
    return Execution.error(id, code, message);
  }

  /** Stops taking new work and interrupts what runs (the node lost its lease or is killed). */
  void stop() {
    stopped = true;
    ScheduledExecutorService timer = expiry;
    if (timer != null) {
      timer.shutdownNow();
    }
    running.forEach(Thread::interrupt);
  }

  /** Tasks admitted and not yet gone: queued, running, or timed out with the handler running. */
  int inFlight() {
    return admission.tasks();
  }

  /** Payload bytes of those tasks. */
  long admittedBytes() {
    return admission.bytes();
  }

  int queued() {
    return queue.size();
  }

  /** Task bytes in and out since the runner started. */
  long bytesMoved() {
    return bytesMoved.sum();
  }

  long completed() {
    return completed.get();
  }

  long deduplicated() {
    return deduplicated.get();
  }

  Rejections rejections() {
    return rejections;
  }

  /** Entries dedup holds now, running and finished; never more than {@code dedupEntries}. */
  int dedupEntries() {
    return dedup.size();
  }

  /** Tasks with an idempotency key that ran without dedup because every entry was running. */
  long undeduplicated() {
    return undeduplicated.get();
  }
}
