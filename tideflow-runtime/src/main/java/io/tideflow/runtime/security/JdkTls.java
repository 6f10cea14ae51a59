package io.tideflow.runtime.security;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
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
    try {
      List<X509Certificate> chain = Pem.readCertificates(files.certificateChain());
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] none = new char[0];
      keys.setKeyEntry(
          "tls",
          Pem.readPrivateKey(files.privateKey()),
          none,
          chain.toArray(X509Certificate[]::new));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, none);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(kmf.getKeyManagers(), null, null);
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
