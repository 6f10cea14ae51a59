package io.tideflow.store.etcd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * etcd's own TLS for a test: its server certificate and key and the CA whose client certificates it
 * accepts ({@code --client-cert-auth}), all PEM as {@code tideflow cert issue} writes them (the key
 * PKCS#8, EC or RSA). {@link #sslContext} is how the harness itself checks etcd's health.
 *
 * @param dir where {@code tls.crt}, {@code tls.key} and {@code ca.crt} of etcd are
 * @param harness a directory with a client certificate the harness presents to etcd
 */
public record EtcdTls(Path dir, Path harness) {

  /** The flags that make etcd serve TLS and require client certificates. */
  List<String> flags() {
    return List.of(
        "--cert-file",
        dir.resolve("tls.crt").toString(),
        "--key-file",
        dir.resolve("tls.key").toString(),
        "--trusted-ca-file",
        dir.resolve("ca.crt").toString(),
        "--client-cert-auth");
  }

  /** TLS as the harness's HTTP client speaks it to etcd's gateway. */
  SSLContext sslContext() throws IOException, GeneralSecurityException {
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    for (Certificate c :
        x509.generateCertificates(
            new ByteArrayInputStream(Files.readAllBytes(harness.resolve("ca.crt"))))) {
      trust.setCertificateEntry("ca-" + i++, c);
    }
    Certificate[] chain =
        x509.generateCertificates(
                new ByteArrayInputStream(Files.readAllBytes(harness.resolve("tls.crt"))))
            .toArray(Certificate[]::new);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    char[] none = new char[0];
    keys.setKeyEntry("harness", privateKey(harness.resolve("tls.key")), none, chain);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, none);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ssl;
  }

  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    String base64 =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
    try {
      return KeyFactory.getInstance("EC").generatePrivate(spec);
    } catch (GeneralSecurityException notEc) {
      return KeyFactory.getInstance("RSA").generatePrivate(spec);
    }
  }
}
