package io.tideflow.runtime.autoscale;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.tideflow.runtime.transport.proto.DrainReply;
import io.tideflow.runtime.transport.proto.DrainRequest;
import io.tideflow.runtime.transport.proto.NodeControlGrpc;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks a worker to drain over its control service: it stops taking tasks, lets running ones finish
 * within the timeout, and answers. The request carries the leader's fencing token, so a deposed
 * coordinator's drain is refused.
 */
public final class NodeDrainer {
  private NodeDrainer() {}

  /** Completes with the worker's answer, or fails when it cannot be reached. */
  public static CompletableFuture<DrainReply> drain(
      String address, Duration timeout, long fencingToken) {
    ManagedChannel channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
    CompletableFuture<DrainReply> result = new CompletableFuture<>();
    NodeControlGrpc.newStub(channel)
        .withDeadlineAfter(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)
        .drain(
            DrainRequest.newBuilder()
                .setTimeoutMillis(timeout.toMillis())
                .setFencingToken(fencingToken)
                .build(),
            new StreamObserver<>() {
              @Override
              public void onNext(DrainReply reply) {
                result.complete(reply);
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                result.completeExceptionally(
                    new IllegalStateException("drain of " + address + " ended without a reply"));
              }
            });
    return result.whenComplete((r, e) -> channel.shutdown());
  }
}
