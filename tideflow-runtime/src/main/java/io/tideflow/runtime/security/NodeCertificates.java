package io.tideflow.runtime.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Certificates for the nodes a pool starts, issued by the cluster's CA as each node launches: a
 * node identity of its own ({@code spiffe://<domain>/node/<id>}), with its pool's etcd user as the
 * common name, in a directory of its own under one that only this user may read. A certificate is
 * issued again, in place, once two thirds of its life have passed; the node reads the new one
 * without a restart ({@link ClusterTls} reloads). Short lives are the point: a node's certificate
 * is worth little once the node is gone.
 *
 * <p>Whoever holds this holds the CA's key and can mint any identity of the cluster: give it only
 * to the coordinators that run pools.
 */
public final class NodeCertificates implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(NodeCertificates.class.getName());

  /** How long an issued certificate is valid unless told otherwise. */
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(7);

  private final ClusterCa ca;
  private final Duration validity;
  private final InstantSource clock;
  private final Path root;
  private final Map<String, Held> held = new ConcurrentHashMap<>();
  private final ScheduledExecutorService renewer;

  /** What was issued for one node: where, under which common name, and when. */
  private record Held(Path dir, String commonName, Instant issuedAt) {}

  private NodeCertificates(ClusterCa ca, Duration validity, InstantSource clock, Path root) {
    this.ca = ca;
    this.validity = validity;
    this.clock = clock;
    this.root = root;
    this.renewer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tideflow-node-certificates").factory());
    long every = Math.max(1_000, Math.min(validity.toMillis() / 6, Duration.ofHours(1).toMillis()));
    renewer.scheduleWithFixedDelay(this::renewDue, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Issues from the CA that {@code tideflow ca init} wrote into {@code caDir} ({@code ca.crt},
   * {@code ca.key}), certificates valid for {@code validity}, on the system clock.
   *
   * @throws IllegalArgumentException naming the file when the CA cannot be read, or for a validity
   *     under a minute
   */
  public static NodeCertificates load(Path caDir, Duration validity) {
    return load(caDir, validity, InstantSource.system());
  }

  /** As {@link #load(Path, Duration)}, on {@code clock}. */
  public static NodeCertificates load(Path caDir, Duration validity, InstantSource clock) {
    if (validity == null || validity.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new IllegalArgumentException(
          "a node certificate's validity must be at least 1 minute, was " + validity);
    }
    ClusterCa ca;
    try {
      ca = ClusterCa.load(caDir);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read the CA in "
              + caDir
              + " (ca.crt and ca.key, as 'tideflow ca init' writes): "
              + e.getMessage(),
          e);
    }
    try {
      Path root =
          Files.createTempDirectory(
              "tideflow-node-certs-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      return new NodeCertificates(ca, validity, clock, root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for node certificates", e);
    }
  }

  public String trustDomain() {
    return ca.trustDomain();
  }

  /**
   * Issues a certificate for node {@code nodeId}, with {@code commonName} as its etcd user, into a
   * directory of its own, replacing what it held before.
   *
   * @return the files to hand to the node ({@code --tls-dir})
   */
  public TlsFiles issue(String nodeId, String commonName) {
    Path dir = directory(nodeId);
    Instant now = clock.instant();
    write(nodeId, new Held(dir, Identity.checkName(commonName), now));
    return TlsFiles.in(dir);
  }

  /** Where node {@code nodeId}'s certificate is (or will be) issued: its {@code --tls-dir}. */
  public Path directory(String nodeId) {
    return root.resolve(Identity.checkName(nodeId));
  }

  /** Removes node {@code nodeId}'s certificate and key: the node is gone. */
  public void forget(String nodeId) {
    Held h = held.remove(nodeId);
    if (h != null) {
      delete(h.dir());
    }
  }

  /** The nodes that hold a certificate from this now. */
  public List<String> nodes() {
    return List.copyOf(held.keySet());
  }

  /** Issues again every certificate that is two thirds through its life. */
  void renewDue() {
    Instant now = clock.instant();
    Duration renewAfter = validity.multipliedBy(2).dividedBy(3);
    held.forEach(
        (nodeId, h) -> {
          if (!now.isBefore(h.issuedAt().plus(renewAfter))) {
            try {
              write(nodeId, new Held(h.dir(), h.commonName(), now));
              LOG.log(Level.INFO, "renewed the certificate of node " + nodeId);
            } catch (RuntimeException e) {
              LOG.log(
                  Level.WARNING,
                  "cannot renew the certificate of " + nodeId + ": " + e.getMessage());
            }
          }
        });
  }

  private void write(String nodeId, Held h) {
    try {
      ca.issue(
              Identity.Role.NODE,
              nodeId,
              h.commonName(),
              List.of(),
              h.issuedAt().minus(Duration.ofMinutes(5)),
              h.issuedAt().plus(validity))
          .save(h.dir());
      held.put(nodeId, h);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot write the certificate of " + nodeId + " into " + h.dir() + ": " + e.getMessage(),
          e);
    }
  }

  /** Stops renewing and removes every certificate and key it wrote. */
  @Override
  public void close() {
    renewer.shutdownNow();
    held.clear();
    delete(root);
  }

  private static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot delete " + dir + ": " + e.getMessage());
    }
  }
}
