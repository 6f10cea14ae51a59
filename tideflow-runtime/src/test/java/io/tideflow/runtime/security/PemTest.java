package io.tideflow.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys as an existing PKI writes them, not only as {@code cert issue} does. */
class PemTest {
  @TempDir Path dir;

  @Test
  void readsPkcs8Sec1AndPkcs1KeysAlike() throws Exception {
    KeyPair ec = pair("EC");
    KeyPair rsa = pair("RSA");
    // As OpenSSL writes them: SEC1 with the curve and the public point, and PKCS#1.
    Path sec1 = Files.writeString(dir.resolve("ec.key"), sec1(ec));
    Path pkcs1 = write("rsa.key", rsa);
    Path pkcs8 = Files.writeString(dir.resolve("p8.key"), Pem.privateKey(ec.getPrivate()));
    assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

    // The same secret scalar; the encodings may differ in what optional parts they carry.
    BigInteger secret = ((ECPrivateKey) ec.getPrivate()).getS();
    assertThat(((ECPrivateKey) Pem.readPrivateKey(sec1)).getS()).isEqualTo(secret);
    assertThat(((ECPrivateKey) Pem.readPrivateKey(pkcs8)).getS()).isEqualTo(secret);
    assertThat(Pem.readPrivateKey(pkcs1).getEncoded()).isEqualTo(rsa.getPrivate().getEncoded());
  }

  @Test
  void aFileWithoutAKeyOrCertificateIsNamedInTheError() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "not pem\n");
    assertThatThrownBy(() -> Pem.readPrivateKey(empty))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining(empty + " holds no unencrypted private key");
    assertThatThrownBy(() -> Pem.readCertificates(empty)).hasMessageContaining(empty.toString());
  }

  /**
   * {@code EC PRIVATE KEY} (RFC 5915) with its curve and public key, as {@code openssl ec} writes.
   */
  private static String sec1(KeyPair pair) throws Exception {
    ECPrivateKey key = (ECPrivateKey) pair.getPrivate();
    ASN1BitString point =
        SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()).getPublicKeyData();
    org.bouncycastle.asn1.sec.ECPrivateKey structure =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
            256, key.getS(), point, new X962Parameters(SECObjectIdentifiers.secp256r1));
    StringWriter out = new StringWriter();
    try (PemWriter pem = new PemWriter(out)) {
      pem.writeObject(new PemObject("EC PRIVATE KEY", structure.getEncoded()));
    }
    return out.toString();
  }

  private Path write(String name, KeyPair pair) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(pair);
    }
    return Files.writeString(dir.resolve(name), out.toString());
  }

  private static KeyPair pair(String algorithm) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
    if (algorithm.equals("EC")) {
      g.initialize(new ECGenParameterSpec("secp256r1"));
    } else {
      g.initialize(2048);
    }
    return g.generateKeyPair();
  }
}
