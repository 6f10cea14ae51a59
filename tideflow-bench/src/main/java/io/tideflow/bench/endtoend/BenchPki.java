package io.tideflow.bench.endtoend;

import io.tideflow.runtime.security.ClusterCa;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.security.TlsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A cluster CA in a temporary directory and the TLS of each process a benchmark starts. */
final class BenchPki implements AutoCloseable {
  private final Path dir;
  private final ClusterCa ca = ClusterCa.create("bench", Instant.now(), Duration.ofDays(1));
  private final List<ClusterTls> open = new ArrayList<>();

  BenchPki() {
    try {
      dir = Files.createTempDirectory("tideflow-bench-pki");
    } catch (IOException e) {
      throw new UncheckedIOException("no temporary directory for the benchmark's certificates", e);
    }
  }

  /** Mutual TLS for {@code name} in {@code role}, with a certificate issued now. */
  LinkSecurity links(Identity.Role role, String name) {
    Path home = dir.resolve(name);
    try {
      ca.issue(role, name, List.of(), Instant.now(), Duration.ofDays(1)).save(home);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot write a certificate to " + home, e);
    }
    ClusterTls tls = ClusterTls.load(TlsFiles.in(home), Duration.ofHours(1));
    open.add(tls);
    return LinkSecurity.mutualTls(tls);
  }

  @Override
  public void close() {
    open.forEach(ClusterTls::close);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
  }
}
