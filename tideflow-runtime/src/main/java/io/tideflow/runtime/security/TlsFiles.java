package io.tideflow.runtime.security;

import java.nio.file.Path;

/**
 * Where a node's TLS material lies: its certificate chain, its private key and the CA bundle it
 * trusts, all PEM. The bundle may hold several CAs, so a CA is rotated by trusting old and new
 * together for a while.
 *
 * @param certificateChain the node's certificate, leaf first
 * @param privateKey its unencrypted key
 * @param trustedCas the CAs whose certificates it accepts from peers
 */
public record TlsFiles(Path certificateChain, Path privateKey, Path trustedCas) {
  public TlsFiles {
    if (certificateChain == null || privateKey == null || trustedCas == null) {
      throw new IllegalArgumentException(
          "certificateChain, privateKey and trustedCas must all be given, were "
              + certificateChain
              + ", "
              + privateKey
              + ", "
              + trustedCas);
    }
  }

  /**
   * The files {@code cert issue} writes into {@code dir}: {@code tls.crt}, {@code tls.key} and
   * {@code ca.crt}, as a Kubernetes TLS secret names them.
   */
  public static TlsFiles in(Path dir) {
    return new TlsFiles(
        dir.resolve(ClusterCa.CERT), dir.resolve(ClusterCa.KEY), dir.resolve(ClusterCa.CA_CERT));
  }
}
