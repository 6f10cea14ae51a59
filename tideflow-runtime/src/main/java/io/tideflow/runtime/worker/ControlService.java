package io.tideflow.runtime.worker;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.transport.proto.DrainReply;
import io.tideflow.runtime.transport.proto.DrainRequest;
import io.tideflow.runtime.transport.proto.NodeControlGrpc;
import io.tideflow.runtime.transport.proto.StatusReply;
import io.tideflow.runtime.transport.proto.StatusRequest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Drain and status calls. Drain waits, so it runs on a virtual thread, not the event loop. */
final class ControlService extends NodeControlGrpc.NodeControlImplBase {
  private final WorkerNode node;
  private final AtomicLong newestToken = new AtomicLong();

  ControlService(WorkerNode node) {
    this.node = node;
  }

  @Override
  public void drain(DrainRequest request, StreamObserver<DrainReply> reply) {
    long token = request.getFencingToken();
    long newest = newestToken.accumulateAndGet(token, Math::max);
    if (token < newest) {
      reply.onError(
          Status.FAILED_PRECONDITION
              .withDescription("stale fencing token " + token + "; newest seen is " + newest)
              .asRuntimeException());
      return;
    }
    if (request.getTimeoutMillis() <= 0) {
      reply.onError(
          Status.INVALID_ARGUMENT
              .withDescription("timeout_millis must be > 0, was " + request.getTimeoutMillis())
              .asRuntimeException());
      return;
    }
    // A platform thread: a drain must not wait behind the CPU-bound tasks it is waiting for.
    Thread.ofPlatform()
        .daemon()
        .name("tideflow-drain")
        .start(
            () -> {
              WorkerNode.DrainResult result;
              try {
                result = node.drain(Duration.ofMillis(request.getTimeoutMillis()));
              } catch (RuntimeException e) {
                // The node refuses tasks already; the caller learns the registry does not say
                // so yet, and may ask again.
                reply.onError(
                    Status.UNAVAILABLE
                        .withDescription(
                            "drain of "
                                + node.id()
                                + " could not mark it DRAINING in the registry: "
                                + e.getMessage())
                        .withCause(e)
                        .asRuntimeException());
                return;
              }
              reply.onNext(
                  DrainReply.newBuilder()
                      .setDrained(result.drained())
                      .setStillRunning(result.stillRunning())
                      .build());
              reply.onCompleted();
            });
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusReply> reply) {
    reply.onNext(StatusReply.newBuilder().setNode(NodeRecords.toRecord(node.info())).build());
    reply.onCompleted();
  }
}
