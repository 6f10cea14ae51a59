package io.tideflow.runtime.client;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.transport.Batcher;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.runtime.transport.proto.ResultBatch;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskBatch;
import io.tideflow.runtime.transport.proto.TaskMessage;
import io.tideflow.runtime.transport.proto.TaskServiceGrpc;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's one stream to one worker. Tasks go out batched; results come back on gRPC's event
 * loop (direct executor) and are handed to the {@link Listener} there, so it must not block. The
 * worker's credits bound what is outstanding: {@link #trySend} refuses beyond them.
 */
final class WorkerConnection {

  /** Idle time (nothing read) before the channel pings the worker; gRPC's minimum. */
  static final long KEEPALIVE_TIME_SECONDS = 10;

  /** How long a ping may go unanswered before the stream counts as broken. */
  static final long KEEPALIVE_TIMEOUT_SECONDS = 3;

  /** Called on the event loop. */
  interface Listener {
    void onResult(WorkerConnection connection, TaskAttempt attempt, ResultMessage result);

    /** The worker answered this stream for the first time (its grant of credits): it works. */
    void onAnswered(WorkerConnection connection);

    /** Credits arrived: tasks may be sent. */
    void onReady(WorkerConnection connection);

    /** The stream ended; {@code orphans} were in flight and have no answer. */
    void onBroken(WorkerConnection connection, Collection<TaskAttempt> orphans, Throwable cause);
  }

  private final String nodeId;
  private final String address;
  private final ManagedChannel channel;
  private final Listener listener;
  private final Map<Long, TaskAttempt> inFlight = new ConcurrentHashMap<>();
  private final AtomicInteger credits = new AtomicInteger();
  private final Batcher<TaskMessage> outbound;
  private volatile ClientCallStreamObserver<TaskBatch> stream;
  private volatile boolean broken;
  private volatile boolean retiring;

  /** When the worker last sent anything on this stream (results, credits, heartbeat). */
  private volatile long lastHeardNanos;

  /** Event loop only: gRPC delivers one call's messages one at a time. */
  private boolean answered;

  private final AtomicBoolean closed = new AtomicBoolean();
  private final Executor sender;

  WorkerConnection(
      String nodeId, String address, LinkSecurity security, Listener listener, Executor sender) {
    this.lastHeardNanos = System.nanoTime();
    this.nodeId = nodeId;
    this.address = address;
    this.listener = listener;
    this.sender = sender;
    this.channel =
        security
            .channel(nodeId, address)
            .directExecutor()
            .maxInboundMessageSize(WireLimits.MAX_MESSAGE_BYTES)
            // A path that died without a FIN or RST, or a node that stopped answering at all
            // (SIGSTOP), shows as a PING unanswered: the stream breaks and its tasks are placed
            // again within KEEPALIVE_TIME + KEEPALIVE_TIMEOUT of the last byte read, not after
            // the task's own timeout. 10 s is the least gRPC allows; the worker's server permits
            // pings every 5 s (WorkerNode), so these are never answered with GOAWAY.
            .keepAliveTime(KEEPALIVE_TIME_SECONDS, TimeUnit.SECONDS)
            .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(true)
            .build();
    this.outbound =
        new Batcher<>(
            this::sendBatch,
            t -> t.getPayload().size() + t.getHandler().length() + 32,
            WireLimits.BATCH_ITEMS,
            WireLimits.BATCH_BYTES,
            sender);
  }

  void open() {
    TaskServiceGrpc.newStub(channel)
        .tasks(
            new ClientResponseObserver<TaskBatch, ResultBatch>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<TaskBatch> requestStream) {
                stream = requestStream;
              }

              @Override
              public void onNext(ResultBatch batch) {
                handle(batch);
              }

              @Override
              public void onError(Throwable t) {
                breakOff(t);
              }

              @Override
              public void onCompleted() {
                breakOff(new IllegalStateException("worker " + nodeId + " ended the stream"));
              }
            });
  }

  private void handle(ResultBatch batch) {
    lastHeardNanos = System.nanoTime();
    if (!answered) {
      answered = true;
      listener.onAnswered(this);
    }
    List<ResultMessage> results = batch.getResultsList();
    credits.addAndGet(batch.getCredits() + results.size());
    for (ResultMessage r : results) {
      TaskAttempt attempt = inFlight.remove(r.getId());
      if (attempt != null) {
        listener.onResult(this, attempt, r);
      }
    }
    if (retiring && inFlight.isEmpty()) {
      close();
    } else if (!broken) {
      listener.onReady(this);
    }
  }

  /** Sends {@code attempt} as task {@code id} if a credit is free; false otherwise. */
  boolean trySend(long id, TaskAttempt attempt) {
    if (broken || retiring) {
      return false;
    }
    if (credits.getAndDecrement() <= 0) {
      credits.incrementAndGet();
      return false;
    }
    if (inFlight.isEmpty()) {
      // Silence counts from when the stream began to hold tasks: an idle stream hears nothing.
      lastHeardNanos = System.nanoTime();
    }
    inFlight.put(id, attempt);
    outbound.add(
        TaskMessage.newBuilder()
            .setId(id)
            .setHandler(attempt.spec.handler())
            .setPayload(ByteString.copyFrom(attempt.spec.payload()))
            .setIdempotencyKey(attempt.spec.idempotencyKey())
            .setTimeoutMillis(attempt.spec.timeout().toMillis())
            .setAttempt(attempt.attempts)
            .build());
    if (broken) {
      // The stream broke while we sent: whoever broke it may have missed this one.
      TaskAttempt orphan = inFlight.remove(id);
      if (orphan != null) {
        listener.onBroken(this, List.of(orphan), new IllegalStateException("stream broke"));
      }
    }
    return true;
  }

  private void sendBatch(List<TaskMessage> batch) {
    ClientCallStreamObserver<TaskBatch> s = stream;
    if (!broken && s != null) {
      try {
        s.onNext(TaskBatch.newBuilder().addAllTasks(batch).build());
      } catch (IllegalStateException e) {
        // The call was already closed; onError reports it and re-places what was in flight.
        breakOff(e);
      }
    }
  }

  /**
   * Ends the stream as broken: what is in flight goes to {@link Listener#onBroken} at once, to be
   * placed again, and whatever the worker still sends on this stream is never read. For a node the
   * registry no longer lists, whose socket may still be open.
   */
  void sever(Throwable cause) {
    breakOff(cause);
  }

  private void breakOff(Throwable cause) {
    if (broken) {
      return;
    }
    broken = true;
    List<TaskAttempt> orphans = takeAll();
    channel.shutdownNow();
    listener.onBroken(this, orphans, cause);
  }

  /**
   * Takes every attempt in flight by remove(): whoever removes an attempt owns it, so one racing
   * with trySend, a result or a timeout is neither lost nor handled twice.
   */
  private List<TaskAttempt> takeAll() {
    List<TaskAttempt> taken = new ArrayList<>();
    for (Long id : inFlight.keySet()) {
      TaskAttempt attempt = inFlight.remove(id);
      if (attempt != null) {
        taken.add(attempt);
      }
    }
    return taken;
  }

  /** Forget the in-flight attempt {@code id} (it timed out); its credit returns with its result. */
  TaskAttempt abandon(long id) {
    return inFlight.remove(id);
  }

  Map<Long, TaskAttempt> inFlightView() {
    return inFlight;
  }

  /** Sends nothing more; closes once what is in flight has come back. */
  void retire() {
    retiring = true;
    if (inFlight.isEmpty()) {
      close();
    }
  }

  /**
   * Half-closes the stream and shuts the channel down. What is still in flight (an attempt that
   * raced the close) is handed back as orphans, so it is placed again rather than lost. The
   * half-close goes through the send executor, after any batch already queued, because a gRPC
   * stream must not be written from two threads at once.
   */
  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    broken = true;
    List<TaskAttempt> orphans = takeAll();
    if (!orphans.isEmpty()) {
      listener.onBroken(this, orphans, new IllegalStateException("stream closed while sending"));
    }
    try {
      sender.execute(this::halfClose);
    } catch (RejectedExecutionException e) {
      halfClose(); // the client is shutting down: nothing else writes any more
    }
  }

  private void halfClose() {
    ClientCallStreamObserver<TaskBatch> s = stream;
    if (s != null) {
      try {
        s.onCompleted();
      } catch (IllegalStateException e) {
        // Already closed by the other side: nothing left to end.
      }
    }
    channel.shutdown();
  }

  boolean closed() {
    return closed.get();
  }

  boolean usable() {
    return !broken && !retiring && credits.get() > 0;
  }

  boolean broken() {
    return broken;
  }

  /**
   * When the worker last sent anything on this stream, or when the stream last began to hold tasks
   * if that came later, in real time (System.nanoTime, as the worker's heartbeat is kept, whatever
   * clock the client's deadlines follow): a worker holding tasks sends a heartbeat at least every
   * {@code TaskStreamService.HEARTBEAT} (500 ms), so a long silence with tasks in flight means it
   * stopped or its path did.
   */
  long lastHeardNanos() {
    return lastHeardNanos;
  }

  /** True once {@link #retire} was called: the connection takes no new tasks. */
  boolean retired() {
    return retiring;
  }

  int inFlight() {
    return inFlight.size();
  }

  String nodeId() {
    return nodeId;
  }

  String address() {
    return address;
  }
}
