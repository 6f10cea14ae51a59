package io.tideflow.runtime.autoscale;

import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.transport.proto.TerminateReply;
import io.tideflow.runtime.transport.proto.TerminateRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Asks a worker to stop for good over its control service: it drains within the grace, answers,
 * leaves the cluster and exits. Unlike killing a process, this reaches any node the leader can
 * address, also one a previous leader started and this one adopted. The request carries the
 * leader's fencing token, so a deposed coordinator cannot stop nodes.
 */
public final class NodeTerminator {
  private NodeTerminator() {}

  /**
   * Completes with the worker's answer (how many tasks still ran when the grace ended), or fails:
   * FAILED_PRECONDITION when {@code fencingToken} is not the current coordinator's,
   * INVALID_ARGUMENT for a grace beyond 10 minutes or a reason beyond 256 characters, UNAVAILABLE
   * when the worker cannot check the token or be reached.
   */
  public static CompletableFuture<TerminateReply> terminate(
      String address, long fencingToken, Duration grace, String reason) {
    return terminate(LinkSecurity.plaintext(), "", address, fencingToken, grace, reason);
  }

  /** The same, to the node {@code nodeId} at {@code address}, secured as {@code security} says. */
  public static CompletableFuture<TerminateReply> terminate(
      LinkSecurity security,
      String nodeId,
      String address,
      long fencingToken,
      Duration grace,
      String reason) {
    TerminateRequest request =
        TerminateRequest.newBuilder()
            .setFencingToken(fencingToken)
            .setGraceMillis(grace.toMillis())
            .setReason(reason)
            .build();
    return ControlCalls.call(
        security,
        nodeId,
        address,
        grace.plus(ControlCalls.ANSWER_MARGIN),
        "terminate",
        (stub, reply) -> stub.terminate(request, reply));
  }
}
