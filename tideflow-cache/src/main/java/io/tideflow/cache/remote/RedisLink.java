package io.tideflow.cache.remote;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One command connection and one pub/sub connection to Redis, standalone or cluster, as the common
 * Lettuce types. Once made, Lettuce reconnects both by itself (and re-subscribes).
 */
final class RedisLink implements AutoCloseable {
  static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final RedisClusterAsyncCommands<String, byte[]> commands;
  private final StatefulRedisPubSubConnection<String, byte[]> pubSub;
  private final AutoCloseable commandConnection;

  private RedisLink(
      RedisClusterAsyncCommands<String, byte[]> commands,
      StatefulRedisPubSubConnection<String, byte[]> pubSub,
      AutoCloseable commandConnection) {
    this.commands = commands;
    this.pubSub = pubSub;
    this.commandConnection = commandConnection;
  }

  RedisClusterAsyncCommands<String, byte[]> commands() {
    return commands;
  }

  StatefulRedisPubSubConnection<String, byte[]> pubSub() {
    return pubSub;
  }

  @Override
  public void close() throws Exception {
    try (commandConnection;
        pubSub) {
      // both closed, in reverse order, even if one throws
    }
  }

  /** Event loops and reconnection timing for one remote tier; the caller shuts them down. */
  static ClientResources resources(RemoteOptions options) {
    return ClientResources.builder()
        .reconnectDelay(
            Delay.exponential(
                Duration.ofMillis(10), options.maxReconnectDelay(), 2, TimeUnit.MILLISECONDS))
        .build();
  }

  /** The Lettuce client for {@code options}; owns no connection yet. */
  static AbstractRedisClient client(RemoteOptions options, ClientResources resources) {
    ClientOptions clientOptions =
        ClientOptions.builder()
            .autoReconnect(true)
            // Fail fast while disconnected: the breaker and the near tier take over.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
            .socketOptions(
                SocketOptions.builder()
                    .connectTimeout(options.connectTimeout())
                    .tcpNoDelay(true)
                    .keepAlive(true)
                    .build())
            .requestQueueSize(options.requestQueueSize())
            .sslOptions(sslOptions(options.credentials()))
            .build();
    RedisCredentials credentials = options.credentials();
    if (options.cluster()) {
      List<RedisURI> seeds = new ArrayList<>();
      for (RedisURI seed : seeds(options.uri())) {
        seeds.add(authenticated(seed, credentials));
      }
      RedisClusterClient client = RedisClusterClient.create(resources, seeds);
      client.setOptions(ClusterClientOptions.builder(clientOptions).build());
      return client;
    }
    RedisClient client =
        RedisClient.create(resources, authenticated(RedisURI.create(options.uri()), credentials));
    client.setOptions(clientOptions);
    return client;
  }

  /** {@code uri} with the ACL user of {@code credentials}, if any. */
  private static RedisURI authenticated(RedisURI uri, RedisCredentials credentials) {
    if (credentials.user() != null) {
      uri.setCredentialsProvider(
          RedisCredentialsProvider.from(
              () ->
                  io.lettuce.core.RedisCredentials.just(
                      credentials.user(), credentials.password())));
    }
    return uri;
  }

  /** Trust and key material for {@code rediss://}: the JVM's CAs unless a directory names one. */
  private static SslOptions sslOptions(RedisCredentials credentials) {
    Path dir = credentials.tlsDir();
    if (dir == null) {
      return SslOptions.create();
    }
    SslOptions.Builder b = SslOptions.builder().trustManager(dir.resolve("ca.crt").toFile());
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    if (Files.exists(cert) || Files.exists(key)) {
      b.keyManager(cert.toFile(), key.toFile(), null);
    }
    return b.build();
  }

  /** Connects both connections, or throws whatever Lettuce throws when Redis is unreachable. */
  static RedisLink connect(AbstractRedisClient client) {
    if (client instanceof RedisClusterClient cluster) {
      var connection = cluster.connect(CODEC);
      return withPubSub(connection.async(), connection, () -> cluster.connectPubSub(CODEC));
    }
    RedisClient standalone = (RedisClient) client;
    var connection = standalone.connect(CODEC);
    return withPubSub(connection.async(), connection, () -> standalone.connectPubSub(CODEC));
  }

  private static RedisLink withPubSub(
      RedisClusterAsyncCommands<String, byte[]> commands,
      StatefulConnection<String, byte[]> connection,
      Supplier<? extends StatefulRedisPubSubConnection<String, byte[]>> pubSub) {
    try {
      return new RedisLink(commands, pubSub.get(), connection);
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  private static List<RedisURI> seeds(String uri) {
    boolean tls = uri.startsWith("rediss-");
    String hosts = uri.substring(uri.indexOf("://") + 3);
    List<RedisURI> seeds = new ArrayList<>();
    for (String host : hosts.split(",")) {
      seeds.add(RedisURI.create((tls ? "rediss://" : "redis://") + host.strip()));
    }
    return seeds;
  }
}
