package io.tideflow.runtime.security;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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

  /**
   * Opens a link to the node {@code nodeId} at {@code address} and says how it went: {@code mutual
   * TLS 1.3, X25519MLKEM768, spiffe://…/node/w1}, why it was refused, or that it could not be
   * reached within {@code timeout}. For {@code status}; the future completes on a gRPC thread.
   */
  public CompletableFuture<String> probe(String nodeId, String address, Duration timeout) {
    AtomicReference<String> handshake = new AtomicReference<>();
    NettyChannelBuilder b = NettyChannelBuilder.forTarget(address);
    if (tls == null) {
      b.usePlaintext();
    } else {
      b.sslContext(
          tls.clientContext(
              nodeId,
              new ClusterTls.HandshakeListener() {
                @Override
                public void accepted(Identity peer, String group) {
                  handshake.set("mutual TLS 1.3, " + group + ", " + peer);
                }

                @Override
                public void refused(String why) {
                  handshake.set("refused: " + why);
                }
              }));
    }
    ManagedChannel channel = b.build();
    CompletableFuture<String> outcome = new CompletableFuture<>();
    watch(channel, channel.getState(true), handshake, outcome);
    return outcome
        .completeOnTimeout(
            "not reached within " + timeout.toMillis() + " ms",
            timeout.toMillis(),
            TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> channel.shutdownNow());
  }

  private void watch(
      ManagedChannel channel,
      ConnectivityState state,
      AtomicReference<String> handshake,
      CompletableFuture<String> outcome) {
    String seen = handshake.get();
    if (state == ConnectivityState.READY) {
      outcome.complete(tls == null ? "plaintext, reached" : seen);
    } else if (state == ConnectivityState.TRANSIENT_FAILURE) {
      // In TLS 1.3 the client accepts the node's certificate before the node sees the client's:
      // a failure after an accepted handshake is most likely the node refusing this process.
      outcome.complete(
          tls == null || seen == null
              ? "not reached"
              : seen.startsWith("refused")
                  ? seen
                  : "the node closed the link after its certificate was accepted ("
                      + seen
                      + "): it refused this process's certificate ("
                      + tls.identity()
                      + ") or went away");
    } else if (state != ConnectivityState.SHUTDOWN) {
      channel.notifyWhenStateChanged(
          state, () -> watch(channel, channel.getState(false), handshake, outcome));
    }
  }

  @Override
  public String toString() {
    return tls == null ? "plaintext" : "mutual TLS as " + tls.identity();
  }
}
