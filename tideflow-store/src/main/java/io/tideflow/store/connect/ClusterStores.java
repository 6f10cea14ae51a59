package io.tideflow.store.connect;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.etcd.EtcdClusterStore;
import io.tideflow.store.memory.MemoryClusterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Opens a {@link ClusterStore} named by a URI: {@code memory:} (or {@code mem:}) for a new embedded
 * store, {@code etcd://HOST:PORT[,HOST:PORT...]} for an etcd cluster.
 */
public final class ClusterStores {
  private ClusterStores() {}

  public static ClusterStore open(String uri) {
    String trimmed = uri == null ? "" : uri.trim();
    String lower = trimmed.toLowerCase(Locale.ROOT);
    if (lower.equals("memory:") || lower.equals("mem:")) {
      return new MemoryClusterStore();
    }
    if (lower.startsWith("etcd://")) {
      return EtcdClusterStore.connect(endpoints(uri, trimmed.substring("etcd://".length())));
    }
    throw unknown(uri);
  }

  /** Parses {@code host:port,host:port} into {@code http://host:port} endpoints. */
  static List<String> endpoints(String uri, String hostPorts) {
    List<String> endpoints = new ArrayList<>();
    for (String hostPort : hostPorts.split(",", -1)) {
      String trimmed = hostPort.trim();
      int colon = trimmed.lastIndexOf(':');
      if (colon <= 0 || !isPort(trimmed.substring(colon + 1))) {
        throw unknown(uri);
      }
      endpoints.add("http://" + trimmed);
    }
    return endpoints;
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
        "unknown store URI '" + uri + "': expected memory: or etcd://HOST:PORT");
  }
}
