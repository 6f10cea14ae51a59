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
 * go back batched by a {@link Batcher}, from whichever task thread finishes.
 */
final class TaskStreamService extends TaskServiceGrpc.TaskServiceImplBase {
  private static final int RESULTS_FIELD = ResultBatch.RESULTS_FIELD_NUMBER;

  private final TaskRunner runner;
  private final int credits;
  private final BooleanSupplier accepting;
  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
  private final Executor sender;

  TaskStreamService(TaskRunner runner, int credits, BooleanSupplier accepting, Executor sender) {
    this.runner = runner;
    this.sender = sender;
    this.credits = credits;
    this.accepting = accepting;
  }

  @Override
  public StreamObserver<TaskBatch> tasks(StreamObserver<ResultBatch> responses) {
    Session session = new Session((ServerCallStreamObserver<ResultBatch>) responses);
    sessions.add(session);
    session.out.onNext(ResultBatch.newBuilder().setCredits(credits).build());
    return session;
  }

  int openStreams() {
    return sessions.size();
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

  /** One client's stream. */
  private final class Session implements StreamObserver<TaskBatch> {
    private final ServerCallStreamObserver<ResultBatch> out;
    private final Batcher<ResultMessage> results;
    private final AtomicInteger outstanding = new AtomicInteger();
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
    }

    @Override
    public void onNext(TaskBatch batch) {
      for (TaskMessage task : batch.getTasksList()) {
        outstanding.incrementAndGet();
        if (!accepting.getAsBoolean()) {
          reply(
              TaskRunner.error(
                  task.getId(),
                  ErrorCode.REJECTED_DRAINING,
                  "worker is draining: it takes no new tasks"));
        } else {
          runner.submit(task, this::reply);
        }
      }
    }

    private void reply(ResultMessage result) {
      results.add(forWire(result));
      if (outstanding.decrementAndGet() == 0 && halfClosed) {
        complete();
      }
    }

    private void sendBatch(List<ResultMessage> batch) {
      if (!closed) {
        out.onNext(ResultBatch.newBuilder().addAllResults(batch).build());
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
