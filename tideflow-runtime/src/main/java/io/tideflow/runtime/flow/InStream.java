package io.tideflow.runtime.flow;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tideflow.runtime.flow.proto.ChannelBatch;
import io.tideflow.runtime.flow.proto.ChannelGrant;
import io.tideflow.runtime.flow.proto.FlowFrame;
import io.tideflow.runtime.flow.proto.FlowReply;
import io.tideflow.runtime.security.CallerRoles;
import io.tideflow.runtime.security.Identity;

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
  private final Identity peer;
  private volatile String sender;
  private volatile boolean closed;

  InStream(FlowNode node, StreamObserver<FlowReply> replies) {
    this.node = node;
    this.peer = CallerRoles.CALLER.get();
    this.replies = (ServerCallStreamObserver<FlowReply>) replies;
    this.replies.disableAutoRequest();
    this.replies.setOnCancelHandler(this::ended);
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
    if (closed) {
      return; // refused or failed already: what else comes is dropped
    }
    try {
      if (sender == null) {
        if (frame.getSender().isEmpty()) {
          throw new IllegalStateException("a flow stream's first frame must name its sender");
        }
        if (peer != null
            && !(peer.role() == Identity.Role.NODE && peer.name().equals(frame.getSender()))) {
          // Under mutual TLS a node may speak only for itself: its channels are its own.
          fail(
              Status.PERMISSION_DENIED.withDescription(
                  peer + " may not send flow messages as node " + frame.getSender()));
          return;
        }
        sender = frame.getSender();
        node.opened(this);
      }
      FlowReply.Builder finals = null;
      for (ChannelBatch batch : frame.getBatchesList()) {
        ChannelKey key = ChannelKey.of(batch.getChannel());
        InboundChannel channel = node.inbound(key);
        if (channel == null) {
          ChannelGrant last = node.finalGrant(key);
          if (last == null) {
            node.strayBatch(batch);
          } else {
            // Done here, but the sender missed the last grant: it gets it again.
            finals = finals == null ? FlowReply.newBuilder() : finals;
            finals.addGrants(last);
          }
          continue;
        }
        channel.accept(this, batch);
      }
      if (finals != null) {
        send(finals.build());
      }
      replies.request(1);
    } catch (IllegalStateException e) {
      fail(Status.FAILED_PRECONDITION.withDescription(e.getMessage()));
    }
  }

  /** Sends grants: the grant pump's, and the last grants of dropped channels from onNext. */
  void send(FlowReply reply) {
    synchronized (replies) {
      if (!closed) {
        replies.onNext(reply);
      }
    }
  }

  /** Ends the call with {@code status}; the one place besides {@link #send} that writes replies. */
  private void fail(Status status) {
    synchronized (replies) {
      if (!closed) {
        ended();
        replies.onError(status.asRuntimeException());
      }
    }
  }

  /** No more frames come in, nor may replies go out: the node forgets this stream. */
  private void ended() {
    closed = true;
    node.closed(this);
  }

  @Override
  public void onError(Throwable t) {
    ended();
  }

  @Override
  public void onCompleted() {
    synchronized (replies) {
      if (!closed) {
        ended();
        replies.onCompleted();
      }
    }
  }
}
