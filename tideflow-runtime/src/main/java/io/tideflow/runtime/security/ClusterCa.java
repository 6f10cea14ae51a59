package io.tideflow.runtime.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for a cluster without a PKI of its own ({@code tideflow ca init},
 * {@code tideflow cert issue}): ECDSA P-256 keys, certificates that name their holder's {@link
 * Identity} and, for servers, the hosts they are dialled at. Certificates from an existing PKI work
 * the same if they carry the identity URI.
 */
public final class ClusterCa {
  /** The CA's certificate, in a CA directory and beside every issued certificate. */
  public static final String CA_CERT = "ca.crt";

  private static final DateTimeFormatter CREATED =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** The CA's key: only in the CA directory, readable by its owner alone. */
  public static final String CA_KEY = "ca.key";

  /** An issued certificate chain, as Kubernetes names it in a TLS secret. */
  public static final String CERT = "tls.crt";

  /** An issued certificate's key. */
  public static final String KEY = "tls.key";

  private static final Pattern DNS_NAME =
      Pattern.compile(
          "(?=.{1,253}$)[A-Za-z0-9*]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String trustDomain;
  private final X509Certificate certificate;
  private final PrivateKey key;

  private ClusterCa(String trustDomain, X509Certificate certificate, PrivateKey key) {
    this.trustDomain = trustDomain;
    this.certificate = certificate;
    this.key = key;
  }

  /** A new CA for the cluster {@code trustDomain}, valid from {@code now} for {@code validity}. */
  public static ClusterCa create(String trustDomain, Instant now, Duration validity) {
    // The identity check also checks the trust domain's spelling.
    new Identity(trustDomain, Identity.Role.CLIENT, "check");
    try {
      KeyPair pair = newKeyPair();
      // Named by when it was made too, so the CA that replaces it is told apart by name.
      X500Name subject =
          new X500Name(
              "CN=Tideflow cluster CA "
                  + trustDomain
                  + " "
                  + CREATED.format(now)
                  + ",O="
                  + trustDomain);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  subject,
                  serial(),
                  Date.from(now.minus(Duration.ofMinutes(5))),
                  Date.from(now.plus(validity)),
                  subject,
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(pair.getPublic()))
              // The trust domain's own SPIFFE id, so that loading the CA reads its name back.
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(
                      new GeneralName(
                          GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
      return new ClusterCa(trustDomain, sign(b, pair.getPrivate()), pair.getPrivate());
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make a CA certificate: " + e.getMessage(), e);
    }
  }

  /**
   * The CA saved in {@code dir} by {@link #save}.
   *
   * @throws GeneralSecurityException naming the file that is missing or unreadable
   */
  public static ClusterCa load(Path dir) throws IOException, GeneralSecurityException {
    X509Certificate cert = Pem.readCertificates(dir.resolve(CA_CERT)).get(0);
    PrivateKey key = Pem.readPrivateKey(dir.resolve(CA_KEY));
    if (cert.getSubjectAlternativeNames() != null) {
      for (List<?> san : cert.getSubjectAlternativeNames()) {
        if (Integer.valueOf(6).equals(san.get(0))
            && san.get(1) instanceof String uri
            && uri.startsWith("spiffe://")
            && uri.indexOf('/', "spiffe://".length()) < 0) {
          return new ClusterCa(uri.substring("spiffe://".length()), cert, key);
        }
      }
    }
    throw new GeneralSecurityException(
        dir.resolve(CA_CERT) + " names no trust domain (a spiffe://<name> URI): not a Tideflow CA");
  }

  /**
   * Writes {@code ca.crt} and {@code ca.key} (owner-only) into {@code dir}, creating it.
   *
   * @throws FileAlreadyExistsException rather than replace a CA that certificates may rely on
   */
  public void save(Path dir) throws IOException, GeneralSecurityException {
    Files.createDirectories(dir);
    for (String name : List.of(CA_CERT, CA_KEY)) {
      if (Files.exists(dir.resolve(name))) {
        throw new FileAlreadyExistsException(
            dir.resolve(name).toString(),
            null,
            "a CA is already there; it is never replaced, since the certificates it issued rely on"
                + " it");
      }
    }
    writeNew(dir.resolve(CA_CERT), Pem.certificates(List.of(certificate)), false);
    writeNew(dir.resolve(CA_KEY), Pem.privateKey(key), true);
  }

  public String trustDomain() {
    return trustDomain;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** A certificate for {@code name} in {@code role}, valid from now for {@code validity}. */
  public Issued issue(
      Identity.Role role, String name, List<String> hosts, Instant now, Duration validity) {
    return issue(role, name, hosts, now.minus(Duration.ofMinutes(5)), now.plus(validity));
  }

  /**
   * A certificate for {@code name} in {@code role}, valid from {@code notBefore} to {@code
   * notAfter}, for both ends of a link (server and client authentication).
   *
   * @param hosts DNS names and addresses it is dialled at, for servers verified by host name (etcd,
   *     Redis); node links verify the identity instead
   */
  public Issued issue(
      Identity.Role role, String name, List<String> hosts, Instant notBefore, Instant notAfter) {
    return issue(role, name, name, hosts, notBefore, notAfter);
  }

  /**
   * As {@link #issue(Identity.Role, String, List, Instant, Instant)}, with {@code commonName} as
   * the subject's common name, which etcd takes as the user: a pool's nodes each have an identity
   * of their own but share their pool's etcd user.
   */
  public Issued issue(
      Identity.Role role,
      String name,
      String commonName,
      List<String> hosts,
      Instant notBefore,
      Instant notAfter) {
    Identity identity = new Identity(trustDomain, role, name);
    Identity.checkName(commonName);
    if (!notAfter.isAfter(notBefore)) {
      throw new IllegalArgumentException(
          "notAfter must be after notBefore, was " + notAfter + " <= " + notBefore);
    }
    try {
      KeyPair pair = newKeyPair();
      List<GeneralName> names = new ArrayList<>();
      names.add(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri()));
      for (String host : hosts) {
        names.add(hostName(host));
      }
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  certificate,
                  serial(),
                  Date.from(notBefore),
                  Date.from(notAfter),
                  new X500Name("CN=" + commonName + ",OU=" + role.path() + ",O=" + trustDomain),
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(names.toArray(GeneralName[]::new)))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(certificate))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new Issued(identity, sign(b, key), pair.getPrivate(), certificate);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(
          "cannot issue a certificate for " + identity + ": " + e.getMessage(), e);
    }
  }

  /** An issued certificate, its key and the CA that signed it. */
  public record Issued(
      Identity identity, X509Certificate certificate, PrivateKey key, X509Certificate ca) {
    /**
     * Writes {@code tls.crt}, {@code tls.key} (owner-only) and {@code ca.crt} into {@code dir},
     * replacing what is there, each file whole (written aside, then moved), so a node reloading
     * them never reads half a file.
     */
    public void save(Path dir) throws IOException, GeneralSecurityException {
      save(dir, List.of());
    }

    /**
     * As {@link #save(Path)}, with {@code alsoTrusted} in {@code ca.crt} beside the CA that signed
     * it: while a cluster moves to a new CA, every process trusts both.
     */
    public void save(Path dir, List<X509Certificate> alsoTrusted)
        throws IOException, GeneralSecurityException {
      Files.createDirectories(dir);
      List<X509Certificate> trusted = new ArrayList<>(List.of(ca));
      for (X509Certificate other : alsoTrusted) {
        if (!trusted.contains(other)) {
          trusted.add(other);
        }
      }
      replace(dir, CA_CERT, Pem.certificates(trusted), false);
      replace(dir, KEY, Pem.privateKey(key), true);
      replace(dir, CERT, Pem.certificates(List.of(certificate)), false);
    }
  }

  private static GeneralName hostName(String host) throws UnknownHostException {
    if (host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      // A literal; InetAddress does no name lookup for one.
      return new GeneralName(
          GeneralName.iPAddress,
          new org.bouncycastle.asn1.DEROctetString(InetAddress.getByName(host).getAddress()));
    }
    if (!DNS_NAME.matcher(host).matches()) {
      throw new IllegalArgumentException(
          "host '" + host + "' is neither a DNS name nor an address");
    }
    return new GeneralName(GeneralName.dNSName, host);
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    // 159 random bits: positive, under the 20 octets RFC 5280 allows, unguessable.
    return new BigInteger(159, RANDOM);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
  }

  private static void writeNew(Path file, String text, boolean secret) throws IOException {
    if (secret) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    } else {
      Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
    }
  }

  private static void replace(Path dir, String name, String text, boolean secret) {
    Path tmp = dir.resolve("." + name + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      writeNew(tmp, text, secret);
      Files.move(
          tmp,
          dir.resolve(name),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write " + dir.resolve(name) + ": " + e.getMessage(), e);
    }
  }
}
