package io.tideflow.runtime.worker;

import com.google.protobuf.CodedOutputStream;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tideflow.runtime.transport.Batcher;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.runtime.transport.proto.ErrorCode;
import io.tideflow.runtime.transport.proto.ResultBatch;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskBatch;
import io.tideflow.runtime.transport.proto.TaskMessage;
import io.tideflow.runtime.transport.proto.TaskServiceGrpc;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The worker's end of the task streams. Each stream opens with a grant of credits; tasks arrive in
 * batches on gRPC's event loop (direct executor) and go straight to the {@link TaskRunner}; results
 * go back batched by a {@link Batcher}, from whichever task thread finishes, written by the one
 * send executor only while the stream is ready (see {@link Session}). A stream that holds tasks but
 * has sent nothing for {@link #HEARTBEAT} gets an empty batch ({@link #beat}), so its client can
 * tell a worker whose tasks run long from one that stopped.
 */
final class TaskStreamService extends TaskServiceGrpc.TaskServiceImplBase {
  private static final int RESULTS_FIELD = ResultBatch.RESULTS_FIELD_NUMBER;

  /** How long a stream that holds tasks may go without a message from the worker. */
  static final Duration HEARTBEAT = Duration.ofMillis(500);

  private static final ResultBatch BEAT = ResultBatch.getDefaultInstance();

  private final TaskRunner runner;
  private final int credits;
  private final BooleanSupplier accepting;
  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
  private final Executor sender;
  private final Rejections rejections;

  TaskStreamService(TaskRunner runner, int credits, BooleanSupplier accepting, Executor sender) {
    this.runner = runner;
    this.rejections = runner.rejections();
    this.sender = sender;
    this.credits = credits;
    this.accepting = accepting;
  }

  @Override
  public StreamObserver<TaskBatch> tasks(StreamObserver<ResultBatch> responses) {
    Session session = new Session((ServerCallStreamObserver<ResultBatch>) responses);
    sessions.add(session);
    session.out.onNext(ResultBatch.newBuilder().setCredits(credits).build());
    session.out.request(1);
    return session;
  }

  /**
   * On the send executor, every {@link #HEARTBEAT}: an empty batch on each stream that holds tasks
   * and has written nothing for that long, and is ready for it.
   */
  void beat() {
    long now = System.nanoTime();
    for (Session s : sessions) {
      try {
        s.beat(now);
      } catch (RuntimeException e) {
        // The stream ended under the write: its own handlers close the session.
      }
    }
  }

  int openStreams() {
    return sessions.size();
  }

  /** Results answered and not yet written, over every stream: bounded by their credits. */
  int owedResults() {
    int n = 0;
    for (Session s : sessions) {
      n += s.owed.get();
    }
    return n;
  }

  /**
   * {@code result} as it may be sent: its error text cut to {@link
   * WireLimits#MAX_ERROR_MESSAGE_CHARS} with a marker, and a result too large for one stream
   * message replaced by a {@code TOO_LARGE} error for its task, so one task's result never breaks
   * the stream every other task shares.
   */
  static ResultMessage forWire(ResultMessage result) {
    String message = result.getErrorMessage();
    if (message.length() > WireLimits.MAX_ERROR_MESSAGE_CHARS) {
      result = result.toBuilder().setErrorMessage(truncate(message)).build();
    }
    int size = result.getSerializedSize();
    if (size > WireLimits.MAX_RESULT_BYTES) {
      return TaskRunner.error(
          result.getId(),
          ErrorCode.TOO_LARGE,
          "result is "
              + size
              + " bytes encoded, more than the limit of "
              + WireLimits.MAX_RESULT_BYTES
              + " bytes for one stream message");
    }
    return result;
  }

  private static String truncate(String message) {
    String marker = "… [truncated: " + message.length() + " chars in all]";
    int keep = WireLimits.MAX_ERROR_MESSAGE_CHARS - marker.length();
    if (Character.isHighSurrogate(message.charAt(keep - 1))) {
      keep--; // never split a surrogate pair
    }
    return message.substring(0, keep) + marker;
  }

  /**
   * One client's stream. Tasks are taken only against credits: a task that arrives while the stream
   * already holds as many unanswered tasks as it was granted is answered {@code NO_CREDIT} at once,
   * so a client that ignores credits cannot make the worker queue more for it (the worker's
   * admission bounds all streams together; this keeps one stream to its share).
   *
   * <p>Results go out only while the stream {@link ServerCallStreamObserver#isReady() is ready};
   * otherwise they wait in {@code unsent} and are flushed from the on-ready handler. What waits is
   * bounded: a client that honours credits cannot have more results owed than credits, and while
   * more than {@code credits} results wait, no further task batch is read from the stream (inbound
   * flow control), so even a client that neither reads nor honours credits is bounded. {@code
   * unsent} is touched only on the send executor, the one thread that writes to the stream.
   */
  private final class Session implements StreamObserver<TaskBatch> {
    private final ServerCallStreamObserver<ResultBatch> out;
    private final Batcher<ResultMessage> results;

    /** Tasks received and not yet answered, rejected ones included: for the half-close. */
    private final AtomicInteger outstanding = new AtomicInteger();

    /** Tasks taken against credits and not yet answered. */
    private final AtomicInteger held = new AtomicInteger();

    /** Results answered and not yet written to the stream. */
    private final AtomicInteger owed = new AtomicInteger();

    /** Whether reading is paused because too many results are owed. */
    private final AtomicBoolean paused = new AtomicBoolean();

    /** Send executor only. */
    private final ArrayDeque<ResultBatch> unsent = new ArrayDeque<>();

    /** Send executor only: the stream is to end once {@code unsent} is empty. */
    private boolean finishWhenFlushed;

    /** Send executor only: when this stream was last written to (System.nanoTime). */
    private long lastWriteNanos = System.nanoTime();

    private volatile boolean closed;
    private volatile boolean halfClosed;
    private final AtomicBoolean completing = new AtomicBoolean();

    Session(ServerCallStreamObserver<ResultBatch> out) {
      this.out = out;
      this.results =
          new Batcher<>(
              this::sendBatch,
              // The bytes a result adds to its batch's encoding, field tag and length included,
              // so a batch of BATCH_BYTES stays under the message limit.
              r -> CodedOutputStream.computeMessageSize(RESULTS_FIELD, r),
              WireLimits.BATCH_ITEMS,
              WireLimits.BATCH_BYTES,
              sender);
      // With a cancel handler set, onNext after cancellation is a no-op instead of an error.
      out.setOnCancelHandler(this::end);
      // On the event loop: the writing is handed to the send executor, the stream's one writer.
      out.setOnReadyHandler(
          () -> {
            try {
              sender.execute(this::flush);
            } catch (RejectedExecutionException e) {
              // The node is stopping: its server drops the stream, nothing more to send.
            }
          });
      out.disableAutoRequest();
    }

    @Override
    public void onNext(TaskBatch batch) {
      for (TaskMessage task : batch.getTasksList()) {
        outstanding.incrementAndGet();
        if (held.incrementAndGet() > credits) {
          held.decrementAndGet();
          rejections.count(Rejections.Reason.NO_CREDIT);
          reply(
              TaskRunner.error(
                  task.getId(),
                  ErrorCode.NO_CREDIT,
                  "stream sent a task beyond the "
                      + credits
                      + " credits it holds: a client must not exceed its credits"));
        } else if (!accepting.getAsBoolean()) {
          held.decrementAndGet();
          rejections.count(Rejections.Reason.DRAINING);
          reply(
              TaskRunner.error(
                  task.getId(),
                  ErrorCode.REJECTED_DRAINING,
                  "worker is draining: it takes no new tasks"));
        } else {
          runner.submit(task, this::answer);
        }
      }
      requestMore();
    }

    /** Reads the next batch unless too many results are owed; then the flush resumes reading. */
    private void requestMore() {
      paused.set(true);
      // Checked after the flag is set: a flush that lowered owed meanwhile resumes it itself.
      if (owed.get() <= credits && paused.compareAndSet(true, false)) {
        out.request(1);
      }
    }

    /** Answers a task taken against a credit: its credit is free before its result is sent. */
    private void answer(ResultMessage result) {
      held.decrementAndGet();
      reply(result);
    }

    private void reply(ResultMessage result) {
      owed.incrementAndGet();
      results.add(forWire(result));
      if (outstanding.decrementAndGet() == 0 && halfClosed) {
        complete();
      }
    }

    private void sendBatch(List<ResultMessage> batch) {
      if (closed) {
        return;
      }
      // Behind what already waits, and flushed here too: while results keep coming, the drain
      // that calls this may hold the send executor for long, and a flush queued behind it by the
      // on-ready handler would not run until it ends.
      unsent.add(ResultBatch.newBuilder().addAllResults(batch).build());
      flush();
    }

    /** Writes what waits while the stream is ready; on the send executor. */
    private void flush() {
      ResultBatch next;
      while (!closed && out.isReady() && (next = unsent.poll()) != null) {
        write(next);
      }
      if (unsent.isEmpty() && finishWhenFlushed) {
        finish();
      }
    }

    /** Send executor: the heartbeat, if this stream holds tasks and has been silent a beat. */
    void beat(long nowNanos) {
      if (!closed
          && held.get() > 0
          && unsent.isEmpty()
          && nowNanos - lastWriteNanos >= HEARTBEAT.toNanos()
          && out.isReady()) {
        write(BEAT);
      }
    }

    private void write(ResultBatch message) {
      lastWriteNanos = System.nanoTime();
      out.onNext(message);
      owed.addAndGet(-message.getResultsCount());
      if (paused.get() && owed.get() <= credits && paused.compareAndSet(true, false)) {
        out.request(1);
      }
    }

    @Override
    public void onError(Throwable t) {
      // The client went away; its tasks finish here and their results are dropped.
      end();
    }

    @Override
    public void onCompleted() {
      halfClosed = true;
      if (outstanding.get() == 0) {
        complete();
      }
    }

    /**
     * Ends the stream after the client half-closed and every result is out. The completion goes
     * through the send executor, behind the last results, so nothing writes to the stream at the
     * same time and no result is dropped.
     */
    private void complete() {
      if (completing.compareAndSet(false, true)) {
        try {
          sender.execute(this::finish);
        } catch (RejectedExecutionException e) {
          finish(); // the node is stopping: its server drops the stream anyway
        }
      }
    }

    private void finish() {
      if (!unsent.isEmpty()) {
        finishWhenFlushed = true; // results still wait for the stream to be ready
        return;
      }
      if (!closed) {
        closed = true;
        sessions.remove(this);
        try {
          out.onCompleted();
        } catch (IllegalStateException e) {
          // Cancelled meanwhile: the client is gone, nothing to end.
        }
      }
    }

    private void end() {
      closed = true;
      sessions.remove(this);
    }
  }
}
