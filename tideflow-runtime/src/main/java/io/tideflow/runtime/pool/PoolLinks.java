package io.tideflow.runtime.pool;

import io.tideflow.runtime.provider.NodeLinks;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.LinkSecurity;

/**
 * How a pool reaches its nodes and how they listen: the coordinator's own links, over which it
 * drains and stops them, and the nodes' ({@link NodeLinks}). Both are mutual TLS or both plaintext,
 * since a coordinator speaking TLS cannot drain a plaintext node, nor the reverse.
 *
 * @param control the coordinator's links: its certificate must name a coordinator, the one identity
 *     nodes take drain and terminate calls from
 * @param nodes where the pool's nodes listen and the certificates they are issued
 */
public record PoolLinks(LinkSecurity control, NodeLinks nodes) {
  /** Plaintext on loopback, the default. */
  public static final PoolLinks LOOPBACK =
      new PoolLinks(LinkSecurity.plaintext(), NodeLinks.LOOPBACK);

  /**
   * @throws IllegalArgumentException naming what to give when one side is secured and the other is
   *     not, or the coordinator's certificate is not a coordinator's of the nodes' trust domain
   */
  public PoolLinks {
    if (control == null || nodes == null) {
      throw new IllegalArgumentException("control and nodes must not be null");
    }
    if (control.authenticated() && !nodes.secured()) {
      throw new IllegalArgumentException(
          "the coordinator's links are mutual TLS (--tls-dir), but its pool's nodes would be"
              + " plaintext: give the pool the CA to issue their certificates (--pool-ca)");
    }
    if (nodes.secured() && !control.authenticated()) {
      throw new IllegalArgumentException(
          "the pool's nodes are issued certificates (--pool-ca), but the coordinator has none to"
              + " drain and stop them with: give it --tls-dir, a certificate issued with"
              + " 'tideflow cert issue --coordinator ID'");
    }
    control
        .tls()
        .map(tls -> tls.identity())
        .filter(
            id ->
                id.role() != Identity.Role.COORDINATOR
                    || !id.trustDomain().equals(nodes.certificates().trustDomain()))
        .ifPresent(
            id -> {
              throw new IllegalArgumentException(
                  "the coordinator's certificate names "
                      + id
                      + ", but nodes take drain and terminate calls only from a coordinator of"
                      + " trust domain "
                      + nodes.certificates().trustDomain()
                      + ": issue one with 'tideflow cert issue --coordinator ID'");
            });
  }
}
