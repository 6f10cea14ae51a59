package io.tideflow.runtime.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * PEM files as every PKI writes them: certificates, and unencrypted private keys as PKCS#8 ({@code
 * PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY}).
 */
public final class Pem {
  /** Largest PEM file read: a chain of a few certificates is a few KiB. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private Pem() {}

  /**
   * The certificates in {@code file}, leaf first as written.
   *
   * @throws GeneralSecurityException naming the file when it holds none or cannot be read as PEM
   */
  public static List<X509Certificate> readCertificates(Path file)
      throws IOException, GeneralSecurityException {
    byte[] bytes = read(file);
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      factory
          .generateCertificates(new ByteArrayInputStream(bytes))
          .forEach(c -> out.add((X509Certificate) c));
    } catch (CertificateException e) {
      throw new CertificateException(
          file + " holds no readable PEM certificate: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new CertificateException(file + " holds no certificate");
    }
    return out;
  }

  /**
   * The private key in {@code file}.
   *
   * @throws GeneralSecurityException naming the file when it holds no unencrypted key
   */
  public static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
    String text = new String(read(file), StandardCharsets.US_ASCII);
    try (Reader in = new StringReader(text);
        PEMParser parser = new PEMParser(in)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          // SEC1 or PKCS#1; a SEC1 key need not carry its public half, so take the private alone.
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
      }
    } catch (IOException e) {
      throw new GeneralSecurityException(file + " cannot be read as PEM: " + e.getMessage(), e);
    }
    throw new GeneralSecurityException(
        file
            + " holds no unencrypted private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
  }

  /** {@code certificates} as PEM text. */
  public static String certificates(List<X509Certificate> certificates)
      throws CertificateException {
    StringBuilder out = new StringBuilder();
    for (X509Certificate c : certificates) {
      out.append(block("CERTIFICATE", c.getEncoded()));
    }
    return out.toString();
  }

  /** {@code key} as PKCS#8 PEM text. */
  public static String privateKey(PrivateKey key) {
    return block("PRIVATE KEY", key.getEncoded());
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static byte[] read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new IOException(
          file + " is " + size + " bytes; a PEM file is read up to " + MAX_FILE_BYTES + " bytes");
    }
    return Files.readAllBytes(file);
  }
}
