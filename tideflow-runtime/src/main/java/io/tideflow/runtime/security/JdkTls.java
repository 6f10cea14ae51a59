package io.tideflow.runtime.security;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The same PEM material as the JDK's own TLS takes it, for what is not a node link: the HTTPS of
 * {@code /metrics}, and clients that check it.
 */
public final class JdkTls {
  private JdkTls() {}

  /**
   * A TLS 1.3 / 1.2 server context presenting {@code files}' certificate chain and key.
   *
   * @throws IllegalArgumentException naming the file that cannot be read
   */
  public static SSLContext server(TlsFiles files) {
    return server(files, ClusterTls.DEFAULT_RELOAD);
  }

  /**
   * As {@link #server(TlsFiles)}, the files read again when they change, looked at on a handshake
   * at most once per {@code reloadEvery}: renew the certificate in place, no restart.
   *
   * @throws IllegalArgumentException naming the file that cannot be read
   */
  public static SSLContext server(TlsFiles files, Duration reloadEvery) {
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(new KeyManager[] {new PemKeyManager(files, reloadEvery)}, null, null);
      return ssl;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS material cannot be used: " + e.getMessage(), e);
    }
  }

  /** A client context that trusts the CAs of {@code files} alone. */
  public static SSLContext client(TlsFiles files) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (X509Certificate ca : Pem.readCertificates(files.trustedCas())) {
        trust.setCertificateEntry("ca-" + i++, ca);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return ssl;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS material cannot be used: " + e.getMessage(), e);
    }
  }
}
