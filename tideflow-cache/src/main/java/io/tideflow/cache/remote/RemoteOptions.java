package io.tideflow.cache.remote;

import java.time.Duration;

/**
 * How the cache talks to Redis.
 *
 * @param uri {@code redis://host:port[/db]} (or {@code rediss://}) for one server; {@code
 *     redis-cluster://host1:port1,host2:port2} for a cluster, seeded from those nodes
 * @param commandTimeout the longest a caller waits for one command (or one batch); past it the call
 *     counts as a failure and the caller carries on without Redis
 * @param connectTimeout the longest one connection attempt may take
 * @param failureThreshold consecutive failures that open the circuit breaker
 * @param openDuration how long the breaker stays open before one probe is let through
 * @param maxReconnectDelay the longest pause between Lettuce's reconnection attempts
 * @param requestQueueSize commands Lettuce may queue per connection before rejecting more
 * @param credentials TLS material and an ACL user; {@link RedisCredentials#NONE} for neither
 */
public record RemoteOptions(
    String uri,
    Duration commandTimeout,
    Duration connectTimeout,
    int failureThreshold,
    Duration openDuration,
    Duration maxReconnectDelay,
    int requestQueueSize,
    RedisCredentials credentials) {

  public RemoteOptions {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException(
          "uri must be a redis:// or redis-cluster:// URI, was " + uri);
    }
    requirePositive("commandTimeout", commandTimeout);
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("openDuration", openDuration);
    requirePositive("maxReconnectDelay", maxReconnectDelay);
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failureThreshold must be >= 1, was " + failureThreshold);
    }
    if (requestQueueSize < 1) {
      throw new IllegalArgumentException("requestQueueSize must be >= 1, was " + requestQueueSize);
    }
    if (credentials == null) {
      throw new IllegalArgumentException("credentials must not be null (RedisCredentials.NONE)");
    }
    if (credentials.tlsDir() != null && !tls(uri)) {
      throw new IllegalArgumentException(
          "uri " + uri + " is plaintext but a TLS directory was given: write rediss://");
    }
    if (credentials.user() != null && !tls(uri) && !loopbackOnly(uri)) {
      throw new IllegalArgumentException(
          "uri "
              + uri
              + " would carry the Redis user's password in the clear beyond loopback: write"
              + " rediss://");
    }
    if (uri.contains("@")) {
      throw new IllegalArgumentException(
          "uri must not carry a user or password (they would show in logs): give them as"
              + " RedisCredentials");
    }
  }

  /**
   * Defaults for a server on the same network: 100 ms per command, 1 s to connect, open after 3
   * consecutive failures for 1 s, reconnect at least every second, 10,000 queued commands.
   */
  public static RemoteOptions defaults(String uri) {
    return new RemoteOptions(
        uri,
        Duration.ofMillis(100),
        Duration.ofSeconds(1),
        3,
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        10_000,
        RedisCredentials.NONE);
  }

  /** These options with another command timeout. */
  public RemoteOptions withCommandTimeout(Duration timeout) {
    return new RemoteOptions(
        uri,
        timeout,
        connectTimeout,
        failureThreshold,
        openDuration,
        maxReconnectDelay,
        requestQueueSize,
        credentials);
  }

  /** These options with another breaker open duration. */
  public RemoteOptions withOpenDuration(Duration duration) {
    return new RemoteOptions(
        uri,
        commandTimeout,
        connectTimeout,
        failureThreshold,
        duration,
        maxReconnectDelay,
        requestQueueSize,
        credentials);
  }

  /** These options with {@code value} to prove who they are and check the server. */
  public RemoteOptions withCredentials(RedisCredentials value) {
    return new RemoteOptions(
        uri,
        commandTimeout,
        connectTimeout,
        failureThreshold,
        openDuration,
        maxReconnectDelay,
        requestQueueSize,
        value);
  }

  /** Whether every host of {@code uri} is this machine's loopback. */
  private static boolean loopbackOnly(String uri) {
    String hosts = uri.substring(uri.indexOf("://") + 3);
    for (String hostPort : hosts.split(",")) {
      String h = hostPort.strip();
      String host = h.startsWith("[") ? h.substring(0, h.indexOf(']') + 1) : h.split("[:/]")[0];
      if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"))) {
        return false;
      }
    }
    return true;
  }

  private static boolean tls(String uri) {
    return uri.startsWith("rediss://") || uri.startsWith("rediss-cluster://");
  }

  boolean cluster() {
    return uri.startsWith("redis-cluster://") || uri.startsWith("rediss-cluster://");
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
  }
}
