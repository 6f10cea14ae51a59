package io.tideflow.runtime.security;

import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import java.util.Optional;

/**
 * How a process's node links are carried: in plaintext, which only loopback allows, or over {@link
 * ClusterTls mutual TLS}. One value per process, handed to its worker, client and coordinator
 * alike, so every link it opens or accepts is secured the same way.
 */
public final class LinkSecurity {
  private static final LinkSecurity PLAINTEXT = new LinkSecurity(null);

  private final ClusterTls tls;

  private LinkSecurity(ClusterTls tls) {
    this.tls = tls;
  }

  /** No encryption, no authentication: for a cluster whose every link stays on loopback. */
  public static LinkSecurity plaintext() {
    return PLAINTEXT;
  }

  /** Every link mutually authenticated and encrypted with {@code tls}. */
  public static LinkSecurity mutualTls(ClusterTls tls) {
    if (tls == null) {
      throw new IllegalArgumentException("tls must not be null");
    }
    return new LinkSecurity(tls);
  }

  /** Whether peers are authenticated, which listening beyond loopback requires. */
  public boolean authenticated() {
    return tls != null;
  }

  public Optional<ClusterTls> tls() {
    return Optional.ofNullable(tls);
  }

  /** Secures a node's gRPC server. */
  public NettyServerBuilder secure(NettyServerBuilder server) {
    return tls == null ? server : server.sslContext(tls.serverContext());
  }

  /**
   * A channel to the node {@code nodeId} at {@code address} ({@code host:port}); under TLS it
   * completes its handshake only with that very node.
   */
  public NettyChannelBuilder channel(String nodeId, String address) {
    NettyChannelBuilder b = NettyChannelBuilder.forTarget(address);
    return tls == null ? b.usePlaintext() : b.sslContext(tls.clientContext(nodeId));
  }

  @Override
  public String toString() {
    return tls == null ? "plaintext" : "mutual TLS as " + tls.identity();
  }
}
