package io.tideflow.runtime.transport;

/**
 * A host and a port as the registry records them and people type them: {@code host:port}, with an
 * IPv6 literal in brackets ({@code [::1]:7000}), the form gRPC targets and URLs take.
 *
 * @param host a name or an address literal, without brackets
 * @param port 0..65535
 */
public record HostPort(String host, int port) {
  /** Longest host accepted: a DNS name's limit. */
  public static final int MAX_HOST_CHARS = 253;

  public HostPort {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank, was '" + host + "'");
    }
    if (host.length() > MAX_HOST_CHARS) {
      throw new IllegalArgumentException(
          "host must be at most " + MAX_HOST_CHARS + " characters, was " + host.length());
    }
    if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0 || host.chars().anyMatch(c -> c <= ' ')) {
      throw new IllegalArgumentException(
          "host must not hold brackets or spaces, was '" + host + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
  }

  /**
   * Reads {@code host:port} or {@code [v6]:port}.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text}
   */
  public static HostPort parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("address must be host:port, was '" + text + "'");
    }
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("address must be [v6]:port, was '" + text + "'");
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("address must be host:port, was '" + text + "'");
      }
      host = text.substring(0, colon);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException(
            "an IPv6 address must be in brackets, as [" + host + "]:port, was '" + text + "'");
      }
      port = text.substring(colon + 1);
    }
    try {
      return new HostPort(host, Integer.parseInt(port));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "port must be a number in 0..65535, was '" + port + "' in '" + text + "'", e);
    }
  }

  /** {@code host:port}, or {@code [host]:port} for an IPv6 literal. */
  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
