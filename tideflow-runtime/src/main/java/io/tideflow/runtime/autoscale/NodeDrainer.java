package io.tideflow.runtime.autoscale;

import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.transport.proto.DrainReply;
import io.tideflow.runtime.transport.proto.DrainRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Asks a worker to drain over its control service: it stops taking tasks, lets running ones finish
 * within the timeout, and answers. The request carries the leader's fencing token, so a deposed
 * coordinator's drain is refused.
 */
public final class NodeDrainer {
  private NodeDrainer() {}

  /** Completes with the worker's answer, or fails when it cannot be reached; in plaintext. */
  public static CompletableFuture<DrainReply> drain(
      String address, Duration timeout, long fencingToken) {
    return drain(LinkSecurity.plaintext(), "", address, timeout, fencingToken);
  }

  /**
   * Completes with the answer of the worker {@code nodeId} at {@code address}, or fails when it
   * cannot be reached (or, under TLS, is not that node).
   */
  public static CompletableFuture<DrainReply> drain(
      LinkSecurity security, String nodeId, String address, Duration timeout, long fencingToken) {
    DrainRequest request =
        DrainRequest.newBuilder()
            .setTimeoutMillis(timeout.toMillis())
            .setFencingToken(fencingToken)
            .build();
    return ControlCalls.call(
        security,
        nodeId,
        address,
        timeout.plus(ControlCalls.ANSWER_MARGIN),
        "drain",
        (stub, reply) -> stub.drain(request, reply));
  }
}
