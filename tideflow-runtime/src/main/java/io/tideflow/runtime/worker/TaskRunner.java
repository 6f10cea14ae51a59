package io.tideflow.runtime.worker;

import com.google.protobuf.ByteString;
import io.tideflow.runtime.task.TaskHandler;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.runtime.transport.proto.ErrorCode;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskMessage;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Runs tasks on virtual threads, at most {@code maxConcurrent} at once; the rest wait in a queue
 * that the running threads work off before they end. Remembers results by handler and idempotency
 * key, so a retried task that reaches this worker again gets the first run's result without running
 * twice. That is best effort and per worker: a retry placed on another worker runs again, a
 * finished entry is forgotten once {@code dedupEntries} newer ones crowd it out, and while running
 * tasks alone hold every entry a new keyed task runs without dedup (see {@link Dedup}).
 *
 * <p>Each task's timeout holds here too, counted from its arrival: a task still queued at its
 * deadline is answered {@code TIMED_OUT} without running; one still running is answered {@code
 * TIMED_OUT} by {@link #expire} and its thread interrupted. Either way the client gets its credit
 * back, so a hung handler cannot hold a stream's credits; a handler that ignores the interrupt
 * keeps its slot until it returns (counted by {@link #overdue()}). Deadlines are read from the
 * injected clock, so whether a task is past its timeout is exact under a test's clock; {@link
 * #expire} only needs calling often enough in real time.
 *
 * <p>{@link #submit} is called on gRPC's event loop and never blocks.
 */
final class TaskRunner {
  /** A job's deadline when its task has no timeout. */
  private static final long NO_DEADLINE = Long.MAX_VALUE;

  private final TaskHandlers handlers;
  private final InstantSource clock;
  private final Semaphore slots;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong deduplicated = new AtomicLong();
  private final AtomicLong undeduplicated = new AtomicLong();
  private final Set<Thread> running = ConcurrentHashMap.newKeySet();

  /** Jobs whose handler runs now, for {@link #expire}. */
  private final Set<Job> executing = ConcurrentHashMap.newKeySet();

  private final AtomicLong timedOut = new AtomicLong();
  private final Dedup dedup;
  private volatile boolean stopped;

  TaskRunner(TaskHandlers handlers, int maxConcurrent, int dedupEntries, InstantSource clock) {
    this.handlers = handlers;
    this.clock = clock;
    this.slots = new Semaphore(maxConcurrent);
    this.dedup = new Dedup(dedupEntries);
  }

  /** Runs {@code task} and hands its result to {@code reply}, on some thread, exactly once. */
  void submit(TaskMessage task, Consumer<ResultMessage> replyTo) {
    Consumer<ResultMessage> reply = replyTo;
    String overLimit = overLimit(task);
    if (overLimit != null) {
      reply.accept(error(task.getId(), ErrorCode.TOO_LARGE, overLimit));
      return;
    }
    TaskHandler handler = handlers.get(task.getHandler());
    if (handler == null) {
      reply.accept(
          error(
              task.getId(),
              ErrorCode.UNKNOWN_HANDLER,
              "unknown handler '" + task.getHandler() + "'; this worker has " + handlers.names()));
      return;
    }
    String key = task.getIdempotencyKey();
    if (!key.isEmpty()) {
      DedupKey scope = new DedupKey(task.getHandler(), key);
      CompletableFuture<ResultMessage> mine = new CompletableFuture<>();
      Dedup.Claim claim = dedup.claim(scope, mine);
      if (claim.earlier() != null) {
        deduplicated.incrementAndGet();
        claim.earlier().thenAccept(r -> replyTo.accept(r.toBuilder().setId(task.getId()).build()));
        return;
      }
      if (claim.claimed()) {
        reply =
            r -> {
              if (r.getError() == ErrorCode.REJECTED_DRAINING
                  || r.getError() == ErrorCode.TIMED_OUT) {
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
    Job job = new Job(task, handler, reply, deadline(task.getTimeoutMillis()));
    inFlight.incrementAndGet();
    schedule(job);
  }

  /** Which of the task's fields exceeds its limit, as a sentence; null when all fit. */
  static String overLimit(TaskMessage task) {
    int name = task.getHandler().length();
    if (name > WireLimits.MAX_HANDLER_NAME_CHARS) {
      return "handler name is "
          + name
          + " chars, more than the limit of "
          + WireLimits.MAX_HANDLER_NAME_CHARS;
    }
    int key = task.getIdempotencyKey().length();
    if (key > WireLimits.MAX_IDEMPOTENCY_KEY_CHARS) {
      return "idempotency key is "
          + key
          + " chars, more than the limit of "
          + WireLimits.MAX_IDEMPOTENCY_KEY_CHARS;
    }
    return null;
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

  /** One task on its way through the runner; answered exactly once. */
  private final class Job implements Runnable {
    final TaskMessage task;
    final TaskHandler handler;
    final Consumer<ResultMessage> reply;

    /**
     * The clock's millis after which the task is past its timeout; {@link #NO_DEADLINE} for none.
     */
    final long deadlineMillis;

    private final AtomicBoolean answered = new AtomicBoolean();

    /** The thread running the handler; guarded by this job's monitor. */
    private Thread thread;

    Job(TaskMessage task, TaskHandler handler, Consumer<ResultMessage> reply, long deadlineMillis) {
      this.task = task;
      this.handler = handler;
      this.reply = reply;
      this.deadlineMillis = deadlineMillis;
    }

    boolean hasDeadline() {
      return deadlineMillis != NO_DEADLINE;
    }

    /** Past its deadline at {@code nowMillis}; a task exactly at its deadline still has time. */
    boolean overdue(long nowMillis) {
      return nowMillis > deadlineMillis;
    }

    /** Answers with {@code r} unless answered already; true when this call answered. */
    boolean answer(ResultMessage r) {
      if (answered.compareAndSet(false, true)) {
        reply.accept(r);
        return true;
      }
      return false;
    }

    @Override
    public void run() {
      TaskRunner.this.run(this);
    }

    synchronized void bind(Thread t) {
      thread = t;
    }

    /** Interrupts the handler's thread if it still runs this job. */
    synchronized void interrupt() {
      if (thread != null) {
        thread.interrupt();
      }
    }
  }

  /**
   * Answers {@code TIMED_OUT} for every running task past its deadline and interrupts its thread,
   * and for every queued one past its deadline. Called periodically by the worker (every few tens
   * of milliseconds of real time) with its clock's time.
   *
   * @param nowMillis the clock's time, in the millis of {@link InstantSource#millis()}
   * @return how many tasks it timed out
   */
  int expire(long nowMillis) {
    int n = 0;
    for (Job job : executing) {
      if (job.overdue(nowMillis)
          && job.answer(
              error(
                  job.task.getId(),
                  ErrorCode.TIMED_OUT,
                  "task exceeded its timeout of "
                      + job.task.getTimeoutMillis()
                      + " ms on the worker and was interrupted"))) {
        job.interrupt();
        timedOut.incrementAndGet();
        n++;
      }
    }
    // Queued ones too: while handlers that ignore interrupts hold every slot, nothing dequeues
    // them, and unanswered they would keep their credits.
    for (Runnable queuedJob : queue) {
      if (queuedJob instanceof Job job && job.overdue(nowMillis) && queue.remove(job)) {
        queued.decrementAndGet();
        expireQueued(job);
        n++;
      }
    }
    return n;
  }

  /** Answers a job that waited past its deadline without running. */
  private void expireQueued(Job job) {
    timedOut.incrementAndGet();
    inFlight.decrementAndGet();
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
    int n = 0;
    for (Job job : executing) {
      if (job.answered.get()) {
        n++;
      }
    }
    return n;
  }

  long timedOut() {
    return timedOut.get();
  }

  private void schedule(Job job) {
    if (slots.tryAcquire()) {
      startThread(job);
      return;
    }
    queued.incrementAndGet();
    queue.add(job);
    // A thread may have finished between the failed tryAcquire and the add: take over if so.
    if (slots.tryAcquire()) {
      Runnable next = pollQueue();
      if (next != null) {
        startThread(next);
      } else {
        slots.release();
      }
    }
  }

  private Runnable pollQueue() {
    Runnable next = queue.poll();
    if (next != null) {
      queued.decrementAndGet();
    }
    return next;
  }

  private void startThread(Runnable first) {
    Thread.ofVirtual()
        .name("tideflow-task")
        .start(
            () -> {
              Thread me = Thread.currentThread();
              running.add(me);
              try {
                for (Runnable job = first; job != null; job = pollQueue()) {
                  job.run();
                  // Let other virtual threads (tasks that just arrived, blocked ones waking up)
                  // have the carrier between jobs, so a long queue is worked off fairly.
                  Thread.yield();
                }
              } finally {
                running.remove(me);
                slots.release();
                // Whatever ended this thread, queued jobs must not be stranded.
                if (!queue.isEmpty() && slots.tryAcquire()) {
                  Runnable next = pollQueue();
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
      result = error(task.getId(), ErrorCode.REJECTED_DRAINING, "worker stopped");
    } else if (job.hasDeadline() && job.overdue(clock.millis())) {
      expireQueued(job);
      return;
    } else {
      Thread me = Thread.currentThread();
      job.bind(me);
      executing.add(job);
      try {
        result = execute(task, job.handler);
      } finally {
        executing.remove(job);
        job.bind(null);
        if (!stopped) {
          Thread.interrupted(); // a timeout's interrupt must not reach the next job
        }
      }
    }
    inFlight.decrementAndGet();
    completed.incrementAndGet();
    job.answer(result);
  }

  private static ResultMessage execute(TaskMessage task, TaskHandler handler) {
    try {
      byte[] output = handler.run(task.getPayload().toByteArray());
      if (output == null) {
        output = new byte[0];
      }
      if (output.length > WireLimits.MAX_PAYLOAD_BYTES) {
        return error(
            task.getId(),
            ErrorCode.TOO_LARGE,
            "result of "
                + output.length
                + " bytes exceeds the limit of "
                + WireLimits.MAX_PAYLOAD_BYTES
                + " bytes");
      }
      return ResultMessage.newBuilder()
          .setId(task.getId())
          .setOutput(ByteString.copyFrom(output))
          .build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(task.getId(), ErrorCode.REJECTED_DRAINING, "worker stopped during the task");
    } catch (Throwable e) {
      // Every task gets an answer, or the client's credit and the dedup entry would be held
      // forever; an Error in a handler is the handler's failure, reported as such.
      return error(task.getId(), ErrorCode.HANDLER_FAILED, e.toString());
    }
  }

  static ResultMessage error(long id, ErrorCode code, String message) {
    return ResultMessage.newBuilder().setId(id).setError(code).setErrorMessage(message).build();
  }

  /** Stops taking new work and interrupts what runs (the node lost its lease or is killed). */
  void stop() {
    stopped = true;
    running.forEach(Thread::interrupt);
  }

  int inFlight() {
    return inFlight.get();
  }

  int queued() {
    return queued.get();
  }

  long completed() {
    return completed.get();
  }

  long deduplicated() {
    return deduplicated.get();
  }

  /** Entries dedup holds now, running and finished; never more than {@code dedupEntries}. */
  int dedupEntries() {
    return dedup.size();
  }

  /** Tasks with an idempotency key that ran without dedup because every entry was running. */
  long undeduplicated() {
    return undeduplicated.get();
  }

  /** What dedup is scoped to: the same key on two handlers names two different tasks. */
  private record DedupKey(String handler, String key) {}

  /**
   * Results by (handler, idempotency key), at most {@code capacity} entries. An entry whose task
   * still runs is never evicted, since a retry arriving meanwhile must wait for that run rather
   * than start a second one; only finished entries are evicted, least recently finished first. When
   * the running entries alone fill the bound, a new keyed task is not remembered and runs without
   * dedup. One lock, used for nothing else and never held while a result is handed on.
   */
  private static final class Dedup {
    /**
     * The outcome of {@link #claim}: an earlier run to reuse, or whether this run is remembered.
     */
    record Claim(CompletableFuture<ResultMessage> earlier, boolean claimed) {}

    private static final Claim CLAIMED = new Claim(null, true);
    private static final Claim FULL = new Claim(null, false);

    private final int capacity;
    private final Map<DedupKey, CompletableFuture<ResultMessage>> running = new HashMap<>();

    /** In the order they finished; the eldest is evicted first. */
    private final Map<DedupKey, CompletableFuture<ResultMessage>> finished = new LinkedHashMap<>();

    Dedup(int capacity) {
      this.capacity = capacity;
    }

    synchronized Claim claim(DedupKey key, CompletableFuture<ResultMessage> value) {
      CompletableFuture<ResultMessage> earlier = running.get(key);
      if (earlier == null) {
        earlier = finished.get(key);
      }
      if (earlier != null) {
        return new Claim(earlier, false);
      }
      if (running.size() + finished.size() >= capacity) {
        Iterator<CompletableFuture<ResultMessage>> eldest = finished.values().iterator();
        if (!eldest.hasNext()) {
          return FULL;
        }
        eldest.next();
        eldest.remove();
      }
      running.put(key, value);
      return CLAIMED;
    }

    /** Moves a run's entry from running to finished, where it may be evicted. */
    synchronized void finish(DedupKey key, CompletableFuture<ResultMessage> value) {
      if (running.remove(key, value)) {
        finished.put(key, value);
      }
    }

    /** Forgets a run that did not produce a result to reuse. */
    synchronized void remove(DedupKey key, CompletableFuture<ResultMessage> value) {
      running.remove(key, value);
    }

    synchronized int size() {
      return running.size() + finished.size();
    }
  }
}
