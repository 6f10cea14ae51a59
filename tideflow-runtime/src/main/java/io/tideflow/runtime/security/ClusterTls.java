package io.tideflow.runtime.security;

import io.grpc.netty.GrpcSslContexts;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Mutual TLS 1.3 for node links, with the post-quantum hybrid key exchange X25519MLKEM768 (RFC
 * 10024) preferred where the TLS stack offers it (BoringSSL through netty-tcnative) and X25519
 * otherwise. Both ends present a certificate from the cluster's CA naming an {@link Identity} of
 * its trust domain; a client also insists that the node it dials presents the node id the registry
 * gives for that address, so a forged registry entry receives nothing.
 *
 * <p>Certificates are read again when their files change (checked every {@code reloadEvery}); new
 * handshakes use the new ones, links already up keep theirs. A file that is missing or cannot be
 * read then keeps the old material in use, never half applied; once the files stood still for a
 * period and still do not read (files replaced one by one are tried again first), it is logged and
 * counted, once.
 */
public final class ClusterTls implements AutoCloseable {
  private static final Logger LOG = System.getLogger(ClusterTls.class.getName());

  /** Groups offered, most preferred first: the post-quantum hybrid, then the classical ones. */
  public static final List<String> DEFAULT_GROUPS = List.of("X25519MLKEM768", "X25519", "P-256");

  /** How often the files are looked at by default. */
  public static final Duration DEFAULT_RELOAD = Duration.ofSeconds(10);

  private final TlsFiles files;
  private final String[] groups;
  private final TlsStats stats = new TlsStats();
  private final ScheduledExecutorService reloader;
  // The reloader's thread only: the stamp of files that did not read, and whether that counted.
  private Stamp unreadable;
  private boolean unreadableKnown;
  private boolean unreadableCounted;
  private volatile Material material;

  /**
   * The material before the newest reload, so a handshake that chose its alias just before the swap
   * still finds its key and chain.
   */
  private volatile Material previous;

  private ClusterTls(TlsFiles files, Material material, Duration reloadEvery, List<String> groups) {
    this.files = files;
    this.groups = groups.toArray(String[]::new);
    this.material = material;
    this.reloader =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tideflow-tls-reload");
              t.setDaemon(true);
              return t;
            });
    long every = reloadEvery.toMillis();
    reloader.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Reads {@code files} and watches them for changes.
   *
   * @throws IllegalArgumentException naming the file that is missing, unreadable, or whose
   *     certificate names no identity, so a node refuses to start on bad material
   */
  public static ClusterTls load(TlsFiles files, Duration reloadEvery) {
    return load(files, reloadEvery, DEFAULT_GROUPS);
  }

  /**
   * As {@link #load(TlsFiles, Duration)}, offering the key-exchange {@code groups} given, most
   * preferred first, in BoringSSL's names (e.g. only {@code P-256} where policy asks for it). The
   * JDK's TLS, where BoringSSL is not available, offers its own defaults.
   */
  public static ClusterTls load(TlsFiles files, Duration reloadEvery, List<String> groups) {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("groups must name at least one key-exchange group");
    }
    if (reloadEvery.toMillis() <= 0) {
      throw new IllegalArgumentException("reloadEvery must be > 0, was " + reloadEvery);
    }
    try {
      ClusterTls tls =
          new ClusterTls(files, Material.read(files, 0), reloadEvery, List.copyOf(groups));
      try {
        // Builds a context now, so groups the stack does not know fail here and not at a peer.
        tls.serverContext();
      } catch (RuntimeException e) {
        tls.close();
        throw new IllegalArgumentException(
            "no TLS context can be built from "
                + files.certificateChain().getParent()
                + " offering the key-exchange groups "
                + groups
                + " with "
                + implementation()
                + ": "
                + e.getMessage(),
            e);
      }
      return tls;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS material cannot be used: " + e.getMessage(), e);
    }
  }

  /** Who this process is, as its certificate says. */
  public Identity identity() {
    return material.identity;
  }

  /**
   * Publishes this process's TLS in {@code registry}: handshakes by side and group, refusals,
   * reloads, and {@code tideflow.tls.certificate.expiry.seconds}, what is left of its certificate's
   * validity (alert well before it reaches 0).
   */
  public void bindTo(MeterRegistry registry) {
    stats.bindTo(registry);
    Gauge.builder(
            "tideflow.tls.certificate.expiry.seconds",
            this,
            t ->
                (t.material.chain[0].getNotAfter().getTime() - System.currentTimeMillis()) / 1000.0)
        .description("Seconds until this process's certificate expires")
        .register(registry);
  }

  /** Handshakes and refusals seen so far. */
  public TlsStats stats() {
    return stats;
  }

  /**
   * The TLS implementation in use: {@code BoringSSL} when netty-tcnative loads, else {@code JDK}.
   */
  public static String implementation() {
    return OpenSsl.isAvailable() ? "BoringSSL" : "JDK";
  }

  /** The context a node's gRPC server serves with: peers must present a certificate of ours. */
  public SslContext serverContext() {
    SslContextBuilder b =
        SslContextBuilder.forServer(new ReloadingKeyManager())
            .trustManager(new PeerTrust(null, HandshakeListener.NONE))
            .clientAuth(ClientAuth.REQUIRE);
    return build(b);
  }

  /** The context to dial the node {@code nodeId} with: it must present that node's certificate. */
  public SslContext clientContext(String nodeId) {
    return clientContext(nodeId, HandshakeListener.NONE);
  }

  /**
   * As {@link #clientContext(String)}, telling {@code listener} how each handshake went (on the
   * event loop: it must not block).
   */
  public SslContext clientContext(String nodeId, HandshakeListener listener) {
    Objects.requireNonNull(nodeId, "nodeId");
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .keyManager(new ReloadingKeyManager())
            .trustManager(new PeerTrust(nodeId, listener));
    return build(b);
  }

  private SslContext build(SslContextBuilder b) {
    SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    GrpcSslContexts.configure(b, provider);
    b.protocols("TLSv1.3");
    if (provider == SslProvider.OPENSSL) {
      b.option(OpenSslContextOption.GROUPS, groups.clone());
    }
    try {
      return b.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  void reloadIfChanged() {
    Material old = material;
    Stamp seen = null;
    try {
      seen = Stamp.of(files);
      if (!old.stamp.equals(seen)) {
        Material next = Material.read(files, old.generation + 1);
        previous = old;
        material = next;
        unreadableKnown = false;
        stats.reloaded();
        LOG.log(Level.INFO, "TLS material reloaded from " + files.certificateChain().getParent());
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      // The old material stays in use. Files replaced one by one meet a new key with the old
      // certificate for a moment: a set that fails is a failure once it stood still for a period.
      if (!unreadableKnown || !java.util.Objects.equals(seen, unreadable)) {
        unreadable = seen; // null: a file could not even be looked at
        unreadableKnown = true;
        unreadableCounted = false;
        LOG.log(Level.DEBUG, () -> "TLS material not readable yet, trying again: " + e);
      } else if (!unreadableCounted) {
        unreadableCounted = true;
        stats.reloadFailed();
        LOG.log(
            Level.WARNING, "TLS material not reloaded, the old stays in use: " + e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    reloader.shutdownNow();
  }

  /** When the files were last changed, to tell that they changed. */
  private record Stamp(FileTime chain, FileTime key, FileTime cas, long sizes) {
    static Stamp of(TlsFiles f) throws IOException {
      return new Stamp(
          Files.getLastModifiedTime(f.certificateChain()),
          Files.getLastModifiedTime(f.privateKey()),
          Files.getLastModifiedTime(f.trustedCas()),
          Files.size(f.certificateChain()) * 31 * 31
              + Files.size(f.privateKey()) * 31
              + Files.size(f.trustedCas()));
    }
  }

  /** One consistent set: a key never meets another generation's certificate. */
  private static final class Material implements GenerationKeyManager.Generation {
    final long generation;
    final Stamp stamp;
    final X509Certificate[] chain;
    final PrivateKey key;
    final X509ExtendedTrustManager pkix;
    final Identity identity;

    private Material(
        long generation,
        Stamp stamp,
        X509Certificate[] chain,
        PrivateKey key,
        X509ExtendedTrustManager pkix,
        Identity identity) {
      this.generation = generation;
      this.stamp = stamp;
      this.chain = chain;
      this.key = key;
      this.pkix = pkix;
      this.identity = identity;
    }

    @Override
    public long generation() {
      return generation;
    }

    @Override
    public X509Certificate[] chain() {
      return chain;
    }

    @Override
    public PrivateKey key() {
      return key;
    }

    static Material read(TlsFiles files, long generation)
        throws IOException, GeneralSecurityException {
      Stamp stamp = Stamp.of(files);
      List<X509Certificate> chain = Pem.readCertificates(files.certificateChain());
      PrivateKey key = Pem.readPrivateKey(files.privateKey());
      List<X509Certificate> cas = Pem.readCertificates(files.trustedCas());
      List<Identity> ids = Identity.of(chain.get(0));
      if (ids.size() != 1) {
        throw new CertificateException(
            files.certificateChain()
                + " must name exactly one identity (a spiffe://<trust domain>/<role>/<name> URI),"
                + " names "
                + ids);
      }
      X509Certificate leaf = chain.get(0);
      try {
        leaf.checkValidity();
      } catch (CertificateException e) {
        throw new CertificateException(
            files.certificateChain()
                + " ("
                + ids.get(0)
                + ") is valid only from "
                + leaf.getNotBefore().toInstant()
                + " to "
                + leaf.getNotAfter().toInstant()
                + ": peers would refuse it; issue a new one (tideflow cert issue)",
            e);
      }
      if (!signsFor(key, leaf)) {
        // Also a certificate and key caught mid-rotation, one file replaced and not yet the other.
        throw new CertificateException(
            files.privateKey()
                + " is not the key of the certificate in "
                + files.certificateChain());
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(store);
      X509ExtendedTrustManager pkix = null;
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          pkix = x;
        }
      }
      if (pkix == null) {
        throw new GeneralSecurityException("the JDK offers no PKIX trust manager");
      }
      return new Material(
          generation, stamp, chain.toArray(X509Certificate[]::new), key, pkix, ids.get(0));
    }
  }

  /**
   * Whether {@code key} is the private half of {@code leaf}'s public key: it signs, that verifies.
   */
  private static boolean signsFor(PrivateKey key, X509Certificate leaf) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> key.getAlgorithm(); // Ed25519, Ed448 name their own signature
        };
    try {
      byte[] nonce = new byte[32];
      new SecureRandom().nextBytes(nonce);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(nonce);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(nonce);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // A key of another algorithm than the certificate's cannot sign for it.
      return false;
    }
  }

  /** Presents the current certificate; the alias names its generation so key and chain match. */
  private final class ReloadingKeyManager extends GenerationKeyManager {
    @Override
    Generation current() {
      return material;
    }

    @Override
    Generation previous() {
      return previous;
    }
  }

  /**
   * Checks the peer's chain against the trusted CAs (validity dates included), then its identity:
   * of our trust domain, and, when dialling a node, that very node. The identity takes the place of
   * host-name verification (the chain is checked without an engine, which would ask for it): nodes
   * are dialled at addresses the registry gives, and the node id is what must match.
   */
  private final class PeerTrust extends X509ExtendedTrustManager {
    private final String expectedNode;
    private final HandshakeListener listener;

    PeerTrust(String expectedNode, HandshakeListener listener) {
      this.expectedNode = expectedNode;
      this.listener = listener;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain, engine, "server", () -> material.pkix.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain, engine, "client", () -> material.pkix.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain, null, "server", () -> material.pkix.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain, null, "client", () -> material.pkix.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain, null, "server", () -> material.pkix.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain, null, "client", () -> material.pkix.checkServerTrusted(chain, authType));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return material.pkix.getAcceptedIssuers();
    }

    private void check(X509Certificate[] chain, SSLEngine engine, String side, ChainCheck pkix)
        throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw refused(side, "the peer presented no certificate", null);
      }
      String peer = subject(chain[0]);
      try {
        pkix.run();
      } catch (CertificateException e) {
        throw refused(
            side,
            "certificate of "
                + peer
                + " (valid "
                + chain[0].getNotBefore().toInstant()
                + " to "
                + chain[0].getNotAfter().toInstant()
                + ", issued by "
                + chain[0].getIssuerX500Principal().getName()
                + ") is not trusted: "
                + e.getMessage(),
            e);
      }
      List<Identity> ids = Identity.of(chain[0]);
      String domain = material.identity.trustDomain();
      if (ids.size() != 1 || !ids.get(0).trustDomain().equals(domain)) {
        throw refused(
            side,
            "certificate of "
                + peer
                + " names "
                + ids
                + ", not one identity of trust domain "
                + domain,
            null);
      }
      Identity id = ids.get(0);
      if (expectedNode != null
          && !(id.role() == Identity.Role.NODE && id.name().equals(expectedNode))) {
        throw refused(
            side,
            "the node dialled as "
                + expectedNode
                + " (its registry entry) presented the certificate of "
                + id
                + ": refused, nothing is sent to it",
            null);
      }
      String group = NegotiatedGroup.of(engine);
      stats.handshake(side, group);
      listener.accepted(id, group);
    }

    private CertificateException refused(String side, String why, Exception cause) {
      stats.refused(side);
      listener.refused(why);
      LOG.log(Level.WARNING, "TLS peer refused: " + why);
      return new CertificateException(why, cause);
    }
  }

  /** Hears how a client's handshakes with a node went; called on the event loop. */
  public interface HandshakeListener {
    HandshakeListener NONE =
        new HandshakeListener() {
          @Override
          public void accepted(Identity peer, String group) {}

          @Override
          public void refused(String why) {}
        };

    /** The peer proved {@code peer}; the key exchange used {@code group}. */
    void accepted(Identity peer, String group);

    /** The peer was refused, for the reason given. */
    void refused(String why);
  }

  @FunctionalInterface
  private interface ChainCheck {
    void run() throws CertificateException;
  }

  private static String subject(X509Certificate c) {
    List<Identity> ids = Identity.of(c);
    return ids.isEmpty() ? c.getSubjectX500Principal().getName() : ids.get(0).uri();
  }
}
