package io.tideflow.runtime.flow;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.transport.WireLimits;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * gRPC channels to other nodes by id, for flow streams: the address comes from the node's record in
 * the store, the link is secured as the node's own links are (under mutual TLS, only that very node
 * completes the handshake). A channel is kept per node and made again when the node's address
 * changed.
 */
public final class NodeChannels implements Function<String, Channel>, AutoCloseable {
  private record Open(String address, ManagedChannel channel) {}

  private final ClusterStore store;
  private final LinkSecurity security;
  private final Duration timeout;
  private final Map<String, Open> open = new ConcurrentHashMap<>();

  public NodeChannels(ClusterStore store, LinkSecurity security, Duration timeout) {
    this.store = store;
    this.security = security;
    this.timeout = timeout;
  }

  /**
   * @throws IllegalStateException when the store has no such node
   */
  @Override
  public Channel apply(String nodeId) {
    Optional<KeyValue> kv =
        StoreCalls.await(store.get(ClusterKeys.node(nodeId)), timeout, "get node " + nodeId);
    if (kv.isEmpty()) {
      throw new IllegalStateException("node " + nodeId + " is not in the registry");
    }
    NodeInfo node = NodeRecords.decode(kv.get().key(), kv.get().value());
    Open current = open.get(nodeId);
    if (current != null && current.address().equals(node.address())) {
      return current.channel();
    }
    ManagedChannel channel =
        security
            .channel(nodeId, node.address())
            .directExecutor()
            .maxInboundMessageSize(WireLimits.MAX_MESSAGE_BYTES)
            .build();
    Open previous = open.put(nodeId, new Open(node.address(), channel));
    if (previous != null) {
      previous.channel().shutdown();
    }
    return channel;
  }

  @Override
  public void close() {
    open.values().forEach(o -> o.channel().shutdownNow());
    open.clear();
  }
}
