package io.tideflow.runtime.provider;

import io.tideflow.runtime.security.NodeCertificates;
import io.tideflow.runtime.transport.ListenAddress;

/**
 * How the nodes a provider starts on this machine listen and prove who they are: the interface they
 * bind, the host they advertise (null: the bind host, or for a wildcard this machine's address),
 * and the certificates they are issued as they start. Without certificates their links are
 * plaintext, which only loopback allows.
 *
 * @param bindHost where the nodes' gRPC servers bind
 * @param advertiseHost what the registry records for others to dial; null to derive it
 * @param certificates issues each node its certificate; null for plaintext on loopback
 */
public record NodeLinks(String bindHost, String advertiseHost, NodeCertificates certificates) {
  /** The default: plaintext on loopback. */
  public static final NodeLinks LOOPBACK = new NodeLinks("127.0.0.1", null, null);

  /**
   * @throws IllegalArgumentException when the nodes would listen beyond loopback without
   *     certificates, or the bind host is not an address of this machine
   */
  public NodeLinks {
    ListenAddress listen = ListenAddress.of(bindHost, advertiseHost);
    if (certificates == null && !listen.loopbackOnly()) {
      throw new IllegalArgumentException(
          "pool nodes bound to "
              + bindHost
              + " would listen beyond loopback, which needs mutual TLS: give the pool a CA to"
              + " issue their certificates (--pool-ca)");
    }
  }

  /** Whether the nodes' links are mutual TLS. */
  public boolean secured() {
    return certificates != null;
  }

  /**
   * The etcd user every node of pool {@code pool} shares, their certificates' common name: {@code
   * tideflow store grant --pool NAME} gives it write access to its pool's registry entries only.
   */
  public static String storeUser(String pool) {
    return "pool-" + pool;
  }
}
