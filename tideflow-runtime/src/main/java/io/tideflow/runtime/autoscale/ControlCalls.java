package io.tideflow.runtime.autoscale;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.transport.proto.NodeControlGrpc;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One unary call to a worker's control service, on a channel of its own that is shut down once the
 * call ends. Control calls are rare (a drain or terminate per node the pool gives up), so a
 * short-lived channel costs less than keeping one open per node, and never outlives the node.
 */
final class ControlCalls {
  /**
   * How much longer than the wait it asks for (a drain's timeout, a terminate's grace) a call may
   * take to answer: the worker's fencing check against the store, and the round trip.
   */
  static final Duration ANSWER_MARGIN = Duration.ofSeconds(5);

  private ControlCalls() {}

  /**
   * Starts {@code call} on a stub bound to the node {@code nodeId} at {@code address}, secured as
   * {@code security} says, with {@code deadline}, and completes with its reply; fails with the
   * call's {@link io.grpc.StatusRuntimeException} when it is refused or the worker cannot be
   * reached in time. The future completes on a gRPC thread.
   *
   * @param what names the call in the failure of a reply that never came, e.g. "drain"
   */
  static <R> CompletableFuture<R> call(
      LinkSecurity security,
      String nodeId,
      String address,
      Duration deadline,
      String what,
      BiConsumer<NodeControlGrpc.NodeControlStub, StreamObserver<R>> call) {
    ManagedChannel channel = security.channel(nodeId, address).build();
    CompletableFuture<R> result = new CompletableFuture<>();
    try {
      call.accept(
          NodeControlGrpc.newStub(channel)
              .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS),
          new StreamObserver<>() {
            @Override
            public void onNext(R reply) {
              result.complete(reply);
            }

            @Override
            public void onError(Throwable t) {
              result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
              // After onNext this changes nothing; without it the worker broke the protocol.
              result.completeExceptionally(
                  new IllegalStateException(what + " of " + address + " ended without a reply"));
            }
          });
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result.whenComplete((r, e) -> channel.shutdown());
  }
}
