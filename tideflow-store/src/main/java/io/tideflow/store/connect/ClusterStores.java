package io.tideflow.store.connect;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.clock.MonotonicClock;
import io.tideflow.store.etcd.EtcdClusterStore;
import io.tideflow.store.etcd.EtcdCredentials;
import io.tideflow.store.memory.MemoryClusterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Opens a {@link ClusterStore} named by a URI: {@code memory:} (or {@code mem:}) for a new embedded
 * store, {@code etcd://HOST:PORT[,HOST:PORT...]} for an etcd cluster, {@code etcds://...} for one
 * over TLS.
 */
public final class ClusterStores {
  /**
   * The environment variables a process reads its store credentials from when no option names them:
   * a TLS directory, a user and a password file. A parent that starts workers of lesser privilege
   * clears them from the child's environment and sets its own.
   */
  public static final String TLS_DIR_ENV = EtcdCredentials.TLS_DIR_ENV;

  public static final String USER_ENV = EtcdCredentials.USER_ENV;

  public static final String PASSWORD_FILE_ENV = EtcdCredentials.PASSWORD_FILE_ENV;

  private ClusterStores() {}

  public static ClusterStore open(String uri) {
    return open(uri, EtcdCredentials.NONE);
  }

  /**
   * As {@link #open(String, EtcdCredentials)}, the credentials read from {@code environment}
   * ({@link #TLS_DIR_ENV}, {@link #USER_ENV}, {@link #PASSWORD_FILE_ENV}).
   */
  public static ClusterStore openWithEnvironment(String uri, Map<String, String> env) {
    return open(uri, EtcdCredentials.of(null, null, null, env));
  }

  /**
   * As {@link #open(String)}; {@code etcds://HOST:PORT[,...]} is etcd over TLS with {@code
   * credentials}, which {@code etcds://} requires and {@code etcd://} refuses, so a TLS directory
   * is never silently ignored.
   */
  public static ClusterStore open(String uri, EtcdCredentials credentials) {
    String trimmed = uri == null ? "" : uri.trim();
    String lower = trimmed.toLowerCase(Locale.ROOT);
    if (lower.equals("memory:") || lower.equals("mem:")) {
      return new MemoryClusterStore();
    }
    if (lower.startsWith("etcd://")) {
      if (credentials.tls()) {
        throw new IllegalArgumentException(
            "store URI '" + uri + "' is plaintext but a TLS directory was given: write etcds://");
      }
      List<String> plain = endpoints(uri, trimmed.substring("etcd://".length()), "http://");
      if (credentials.user() != null && !plain.stream().allMatch(ClusterStores::loopback)) {
        throw new IllegalArgumentException(
            "store URI '"
                + uri
                + "' would carry the etcd user's password in the clear beyond loopback: write"
                + " etcds://");
      }
      return EtcdClusterStore.connect(
          plain, EtcdClusterStore.DEFAULT_REQUEST_TIMEOUT, MonotonicClock.system(), credentials);
    }
    if (lower.startsWith("etcds://")) {
      if (!credentials.tls()) {
        throw new IllegalArgumentException(
            "store URI '"
                + uri
                + "' is etcd over TLS: give the directory with its ca.crt (and a client"
                + " certificate) as --store-tls-dir or "
                + EtcdCredentials.TLS_DIR_ENV);
      }
      return EtcdClusterStore.connect(
          endpoints(uri, trimmed.substring("etcds://".length()), "https://"),
          EtcdClusterStore.DEFAULT_REQUEST_TIMEOUT,
          MonotonicClock.system(),
          credentials);
    }
    throw unknown(uri);
  }

  /** Parses {@code host:port,host:port} into {@code http://host:port} endpoints. */
  static List<String> endpoints(String uri, String hostPorts) {
    return endpoints(uri, hostPorts, "http://");
  }

  private static List<String> endpoints(String uri, String hostPorts, String scheme) {
    List<String> endpoints = new ArrayList<>();
    for (String hostPort : hostPorts.split(",", -1)) {
      String trimmed = hostPort.trim();
      int colon = trimmed.lastIndexOf(':');
      if (colon <= 0 || !isPort(trimmed.substring(colon + 1))) {
        throw unknown(uri);
      }
      endpoints.add(scheme + trimmed);
    }
    return endpoints;
  }

  /** Whether {@code endpoint} ({@code scheme://host:port}) names this machine's loopback. */
  private static boolean loopback(String endpoint) {
    String hostPort = endpoint.substring(endpoint.indexOf("://") + 3);
    String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
  }

  private static boolean isPort(String text) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
      return false;
    }
    int port = Integer.parseInt(text);
    return port > 0 && port <= 65535;
  }

  private static IllegalArgumentException unknown(String uri) {
    return new IllegalArgumentException(
        "unknown store URI '" + uri + "': expected memory:, etcd://HOST:PORT or etcds://HOST:PORT");
  }
}
