package io.tideflow.bench.flow;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.tideflow.runtime.flow.FlowNode;
import io.tideflow.runtime.flow.FlowProcesses;
import io.tideflow.runtime.transport.WireLimits;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Two flow nodes in this JVM, {@code a} sending to {@code b} over one plaintext gRPC connection on
 * loopback: b serves, a dials it. Closing closes both nodes, then the connection and the server.
 */
record LoopbackPair(FlowNode a, FlowNode b, ManagedChannel channel, Server server)
    implements AutoCloseable {

  static LoopbackPair start(FlowProcesses processes) throws IOException {
    FlowNode b = new FlowNode("b", processes, id -> null);
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .directExecutor()
            .maxInboundMessageSize(WireLimits.MAX_MESSAGE_BYTES)
            .addService(b.service())
            .build()
            .start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
            .usePlaintext()
            .directExecutor()
            .maxInboundMessageSize(WireLimits.MAX_MESSAGE_BYTES)
            .build();
    return new LoopbackPair(new FlowNode("a", processes, id -> channel), b, channel, server);
  }

  @Override
  public void close() throws InterruptedException {
    try {
      a.close();
    } finally {
      try {
        b.close();
      } finally {
        channel.shutdownNow();
        server.shutdownNow();
      }
    }
  }
}
