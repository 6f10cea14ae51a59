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
import io.tideflow.runtime.transport.proto.TerminateReply;
import io.tideflow.runtime.transport.proto.TerminateRequest;
import io.tideflow.store.ClusterStore;
import java.time.Duration;
import java.util.Optional;

/**
 * Drain, terminate and status calls. Drain and terminate wait, so they run on a thread of their
 * own, not the event loop.
 *
 * <p>Drain and terminate are a leader's actions: they are carried out only if their fencing token
 * is the current coordinator's, as the store says now — not the highest this node happens to have
 * seen, which a stray caller could set to anything. One that cannot be checked (the store is away)
 * is refused as UNAVAILABLE; the leader may ask again. A refused call changes nothing on the node.
 */
final class ControlService extends NodeControlGrpc.NodeControlImplBase {
  /** The longest grace a terminate may ask for: as long as a drain would reasonably wait. */
  static final Duration MAX_GRACE = Duration.ofMinutes(10);

  /** The longest reason a terminate may carry: a log line, not a document. */
  static final int MAX_REASON_CHARS = 256;

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

  /**
   * Stops the node for good on the coordinator's word: drains it within the grace, answers, and
   * only then closes it. Closing stops the server gracefully, so the answer already sent still
   * reaches the caller; the node's process exits as after a graceful stop.
   */
  @Override
  public void terminate(TerminateRequest request, StreamObserver<TerminateReply> reply) {
    String invalid = invalid(request);
    if (invalid != null) {
      reply.onError(Status.INVALID_ARGUMENT.withDescription(invalid).asRuntimeException());
      return;
    }
    // A platform thread, as for a drain: it waits for the tasks it lets finish.
    Thread.ofPlatform()
        .daemon()
        .name("tideflow-terminate")
        .start(
            () -> {
              if (!fenced(request.getFencingToken(), reply)) {
                return;
              }
              try {
                WorkerNode.DrainResult result =
                    node.beginTermination(
                        request.getReason(), Duration.ofMillis(request.getGraceMillis()));
                reply.onNext(
                    TerminateReply.newBuilder().setStillRunning(result.stillRunning()).build());
                reply.onCompleted();
              } finally {
                // Ordered by the leader: the node goes also when the caller gave up waiting (its
                // deadline cancels the call, and answering it then throws).
                node.close();
              }
            });
  }

  /** What is wrong with a terminate request, or null when nothing is. */
  private static String invalid(TerminateRequest request) {
    long grace = request.getGraceMillis();
    if (grace < 0 || grace > MAX_GRACE.toMillis()) {
      return "grace_millis must be between 0 and " + MAX_GRACE.toMillis() + ", was " + grace;
    }
    String reason = request.getReason();
    int chars = reason.codePointCount(0, reason.length());
    if (chars > MAX_REASON_CHARS) {
      return "reason must be at most " + MAX_REASON_CHARS + " characters, was " + chars;
    }
    return null;
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
