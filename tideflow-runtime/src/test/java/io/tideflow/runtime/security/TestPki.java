package io.tideflow.runtime.security;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A cluster CA in a test's directory, and certificates from it written where nodes read them. */
public final class TestPki {
  public final ClusterCa ca;
  private final Path root;

  public TestPki(Path root, String trustDomain) {
    this.root = root;
    this.ca = ClusterCa.create(trustDomain, Instant.now(), Duration.ofDays(1));
  }

  /**
   * {@code tls.crt}, {@code tls.key} and {@code ca.crt} for {@code name}, in a directory of its
   * own.
   */
  public TlsFiles issue(Identity.Role role, String name) {
    return write(role, name, ca.issue(role, name, List.of(), Instant.now(), Duration.ofHours(1)));
  }

  /** The same, into {@code dir} (replacing what is there). */
  public TlsFiles issueInto(Path dir, Identity.Role role, String name) {
    return save(dir, ca.issue(role, name, List.of(), Instant.now(), Duration.ofHours(1)));
  }

  /** A certificate that is valid until {@code notAfter}. */
  public TlsFiles validUntil(Identity.Role role, String name, Instant notAfter) {
    return write(
        role,
        name,
        ca.issue(role, name, List.of(), Instant.now().minus(Duration.ofMinutes(5)), notAfter));
  }

  /** A certificate that expired an hour ago. */
  public TlsFiles expired(Identity.Role role, String name) {
    Instant now = Instant.now();
    return write(
        role,
        name,
        ca.issue(
            role, name, List.of(), now.minus(Duration.ofDays(1)), now.minus(Duration.ofHours(1))));
  }

  private TlsFiles write(Identity.Role role, String name, ClusterCa.Issued issued) {
    return save(
        root.resolve(role.name().toLowerCase() + "-" + name + "-" + System.nanoTime()), issued);
  }

  private static TlsFiles save(Path dir, ClusterCa.Issued issued) {
    try {
      issued.save(dir);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write test certificates to " + dir, e);
    }
    return TlsFiles.in(dir);
  }
}
