package io.tideflow.runtime.security;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * A server key manager over a PEM certificate chain and key that it reads again when their files
 * change, looked at on a handshake at most once per {@code every}: for HTTPS servers of the JDK
 * ({@code /metrics}), whose certificate need not name a cluster identity. A change that cannot be
 * read keeps the old material in use.
 */
final class PemKeyManager extends GenerationKeyManager {
  private static final System.Logger LOG = System.getLogger(PemKeyManager.class.getName());

  private record Keys(long generation, X509Certificate[] chain, PrivateKey key, Stamp stamp)
      implements Generation {}

  private record Stamp(FileTime chain, FileTime key, long sizes) {}

  private final TlsFiles files;
  private final long everyNanos;
  private volatile Keys current;
  private volatile Keys previous;
  private volatile long checkedAt;

  /**
   * @throws IOException or GeneralSecurityException naming the file that cannot be read
   */
  PemKeyManager(TlsFiles files, Duration every) throws IOException, GeneralSecurityException {
    this.files = files;
    this.everyNanos = every.toNanos();
    this.current = read(0);
    this.checkedAt = System.nanoTime();
  }

  private Keys read(long generation) throws IOException, GeneralSecurityException {
    Stamp stamp = stamp();
    List<X509Certificate> chain = Pem.readCertificates(files.certificateChain());
    PrivateKey key = Pem.readPrivateKey(files.privateKey());
    return new Keys(generation, chain.toArray(X509Certificate[]::new), key, stamp);
  }

  private Stamp stamp() throws IOException {
    return new Stamp(
        Files.getLastModifiedTime(files.certificateChain()),
        Files.getLastModifiedTime(files.privateKey()),
        Files.size(files.certificateChain()) * 31 + Files.size(files.privateKey()));
  }

  @Override
  Generation current() {
    long now = System.nanoTime();
    if (now - checkedAt >= everyNanos) {
      reloadIfChanged(now);
    }
    return current;
  }

  private synchronized void reloadIfChanged(long now) {
    if (now - checkedAt < everyNanos) {
      return; // another handshake looked meanwhile
    }
    checkedAt = now;
    Keys was = current;
    try {
      if (!stamp().equals(was.stamp())) {
        Keys next = read(was.generation() + 1);
        previous = was;
        current = next;
        LOG.log(Level.INFO, "HTTPS certificate reloaded from " + files.certificateChain());
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      LOG.log(
          Level.WARNING, "HTTPS certificate not reloaded, the old stays in use: " + e.getMessage());
    }
  }

  @Override
  Generation previous() {
    return previous;
  }
}
