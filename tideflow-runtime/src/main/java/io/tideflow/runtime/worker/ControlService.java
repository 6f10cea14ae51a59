package io.tideflow.runtime.worker;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.runtime.transport.proto.DrainReply;
import io.tideflow.runtime.transport.proto.DrainRequest;
import io.tideflow.runtime.transport.proto.NodeControlGrpc;
import io.tideflow.runtime.transport.proto.StatusReply;
import io.tideflow.runtime.transport.proto.StatusRequest;
import io.tideflow.store.ClusterStore;
import java.time.Duration;
import java.util.Optional;

/**
 * Drain and status calls. Drain waits, so it runs on a thread of its own, not the event loop.
 *
 * <p>A drain is a leader's action: it is carried out only if its fencing token is the current
 * coordinator's, as the store says now — not the highest this node happens to have seen, which a
 * stray caller could set to anything. A drain that cannot be checked (the store is away) is refused
 * as UNAVAILABLE; the leader may ask again.
 */
final class ControlService extends NodeControlGrpc.NodeControlImplBase {
  private final WorkerNode node;

  ControlService(WorkerNode node) {
    this.node = node;
  }

  @Override
  public void drain(DrainRequest request, StreamObserver<DrainReply> reply) {
    long token = request.getFencingToken();
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
              if (!fenced(token, reply)) {
                return;
              }
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

  /** True when {@code token} is the current coordinator's; else answers the call and says false. */
  private boolean fenced(long token, StreamObserver<?> reply) {
    Optional<ClusterStore.LeaderInfo> leader;
    try {
      leader =
          StoreCalls.await(
              node.store().leader(ClusterKeys.COORDINATOR_ELECTION),
              node.storeTimeout(),
              "read the coordinator's fencing token");
    } catch (RuntimeException e) {
      reply.onError(
          Status.UNAVAILABLE
              .withDescription(
                  "cannot check fencing token " + token + " against the store: " + e.getMessage())
              .withCause(e)
              .asRuntimeException());
      return false;
    }
    if (leader.isEmpty() || leader.get().fencingToken() != token) {
      reply.onError(
          Status.FAILED_PRECONDITION
              .withDescription(
                  "fencing token "
                      + token
                      + " is not the current coordinator's ("
                      + leader.map(l -> "token " + l.fencingToken()).orElse("none leads")
                      + ")")
              .asRuntimeException());
      return false;
    }
    return true;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusReply> reply) {
    reply.onNext(StatusReply.newBuilder().setNode(NodeRecords.toRecord(node.info())).build());
    reply.onCompleted();
  }
}
