package io.tideflow.runtime.flow;

import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tideflow.runtime.flow.proto.ChannelGrant;
import io.tideflow.runtime.flow.proto.FlowFrame;
import io.tideflow.runtime.flow.proto.FlowReply;
import io.tideflow.runtime.flow.proto.FlowServiceGrpc;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stream from this node to one other node, carrying every channel between them. Credits are
 * counted per channel and per stream: a new stream starts with none until the receiver grants them.
 * The frame under construction and the sent counts are the {@link SendPump}'s alone; grants and
 * acknowledgements arrive on gRPC's thread and only touch atomics and volatiles.
 */
final class OutStream {
  final String target;
  private final SendPump pump;
  private final Map<ChannelKey, AtomicLong> granted = new ConcurrentHashMap<>();
  private final Map<ChannelKey, long[]> sent = new HashMap<>();
  private ClientCallStreamObserver<FlowFrame> requests;
  private volatile boolean broken;
  private volatile Throwable failure;

  FlowFrame.Builder frame = FlowFrame.newBuilder();
  int frameBytes;
  int frameMessages;

  OutStream(String target, SendPump pump) {
    this.target = target;
    this.pump = pump;
  }

  /** Opens the stream and says who sends; the pump's thread. */
  void open(Channel channel, String self) {
    FlowServiceGrpc.newStub(channel)
        .exchange(
            new ClientResponseObserver<FlowFrame, FlowReply>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<FlowFrame> call) {
                requests = call;
                call.setOnReadyHandler(pump::wake);
              }

              @Override
              public void onNext(FlowReply reply) {
                for (ChannelGrant g : reply.getGrantsList()) {
                  ChannelKey key = ChannelKey.of(g.getChannel());
                  granted.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(g.getCredits());
                  pump.acknowledged(key, g.getAckedUntil(), g.getDuplicates(), g.getEnded());
                }
                pump.wake();
              }

              @Override
              public void onError(Throwable t) {
                failure = t;
                broken = true;
                pump.wake();
              }

              @Override
              public void onCompleted() {
                broken = true;
                pump.wake();
              }
            });
    requests.onNext(FlowFrame.newBuilder().setSender(self).build());
  }

  boolean broken() {
    return broken;
  }

  Throwable failure() {
    return failure;
  }

  boolean ready() {
    return !broken && requests != null && requests.isReady();
  }

  /** Messages {@code key} may still send on this stream. */
  long credits(ChannelKey key) {
    AtomicLong g = granted.get(key);
    long[] s = sent.get(key);
    return (g == null ? 0 : g.get()) - (s == null ? 0 : s[0]);
  }

  void sent(ChannelKey key, int messages) {
    sent.computeIfAbsent(key, k -> new long[1])[0] += messages;
  }

  /** Sends the frame built so far, if it holds anything. */
  void flush() {
    if (frame.getBatchesCount() == 0 || broken) {
      return;
    }
    requests.onNext(frame.build());
    frame = FlowFrame.newBuilder();
    frameBytes = 0;
    frameMessages = 0;
  }

  void cancel() {
    broken = true;
    if (requests != null) {
      requests.cancel("flow stream closed", null);
    }
  }
}
