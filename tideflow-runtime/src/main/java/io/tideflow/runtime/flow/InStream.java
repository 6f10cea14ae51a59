package io.tideflow.runtime.flow;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tideflow.runtime.flow.proto.ChannelBatch;
import io.tideflow.runtime.flow.proto.FlowFrame;
import io.tideflow.runtime.flow.proto.FlowReply;

/**
 * A stream from another node, as this node receives it: the first frame names the sender, the rest
 * carry batches for this node's {@link InboundChannel}s. Frames are requested one at a time after
 * the previous one is in the channels (gRPC's own flow control then holds the sender as well).
 * Replies (grants) are written by the {@link GrantPump} only.
 */
final class InStream implements StreamObserver<FlowFrame> {
  private static final int PREFETCH_FRAMES = 4;

  private final FlowNode node;
  private final ServerCallStreamObserver<FlowReply> replies;
  private volatile String sender;
  private volatile boolean closed;

  InStream(FlowNode node, StreamObserver<FlowReply> replies) {
    this.node = node;
    this.replies = (ServerCallStreamObserver<FlowReply>) replies;
    this.replies.disableAutoRequest();
    this.replies.setOnCancelHandler(() -> closed = true);
    this.replies.request(PREFETCH_FRAMES);
  }

  String sender() {
    return sender;
  }

  boolean closed() {
    return closed;
  }

  @Override
  public void onNext(FlowFrame frame) {
    try {
      if (sender == null) {
        if (frame.getSender().isEmpty()) {
          throw new IllegalStateException("a flow stream's first frame must name its sender");
        }
        sender = frame.getSender();
        node.opened(this);
      }
      for (ChannelBatch batch : frame.getBatchesList()) {
        InboundChannel channel = node.inbound(ChannelKey.of(batch.getChannel()));
        if (channel == null) {
          node.strayBatch(batch);
          continue;
        }
        channel.accept(this, batch);
      }
      replies.request(1);
    } catch (IllegalStateException e) {
      closed = true;
      replies.onError(
          Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
    }
  }

  /** Sends grants; the grant pump's thread only. */
  void send(FlowReply reply) {
    if (!closed) {
      replies.onNext(reply);
    }
  }

  @Override
  public void onError(Throwable t) {
    closed = true;
  }

  @Override
  public void onCompleted() {
    closed = true;
    replies.onCompleted();
  }
}
