package io.tideflow.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.store.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCertificatesTest {
  private static final Duration VALIDITY = Duration.ofHours(3);

  @TempDir Path dir;

  @Test
  void eachNodeGetsItsOwnIdentityRenewedInPlaceAfterTwoThirdsOfItsLife() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-03T10:00:00Z"));
    ClusterCa.create("tideflow", clock.instant(), Duration.ofDays(30)).save(dir.resolve("ca"));
    Path root;
    try (NodeCertificates certificates =
        NodeCertificates.load(dir.resolve("ca"), VALIDITY, clock)) {
      TlsFiles files = certificates.issue("web-1", "pool-web");
      root = certificates.directory("web-1").getParent();
      assertThat(Files.getPosixFilePermissions(root))
          .isEqualTo(PosixFilePermissions.fromString("rwx------"));
      X509Certificate first = certificate(files);
      assertThat(Identity.of(first))
          .containsExactly(Identity.parse("spiffe://tideflow/node/web-1"));
      assertThat(first.getSubjectX500Principal().getName()).endsWith("CN=pool-web");
      assertThat(first.getNotAfter().toInstant()).isEqualTo(clock.instant().plus(VALIDITY));

      clock.advance(Duration.ofMinutes(119));
      certificates.renewDue();
      assertThat(certificate(files).getSerialNumber()).isEqualTo(first.getSerialNumber());

      clock.advance(Duration.ofMinutes(1));
      certificates.renewDue();
      X509Certificate renewed = certificate(files);
      assertThat(renewed.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
      assertThat(renewed.getNotAfter().toInstant()).isEqualTo(clock.instant().plus(VALIDITY));
      assertThat(Identity.of(renewed)).isEqualTo(Identity.of(first));

      certificates.issue("web-2", "pool-web");
      certificates.forget("web-1");
      assertThat(certificates.nodes()).containsExactly("web-2");
      assertThat(certificates.directory("web-1")).doesNotExist();
      assertThat(certificates.directory("web-2").resolve("tls.key")).exists();
    }
    assertThat(root).as("closing removes every key it wrote").doesNotExist();
  }

  @Test
  void aMissingCaOrAShortValidityIsRefusedNamingIt() {
    assertThatThrownBy(() -> NodeCertificates.load(dir.resolve("none"), VALIDITY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.resolve("none").toString())
        .hasMessageContaining("tideflow ca init");
    assertThatThrownBy(() -> NodeCertificates.load(dir, Duration.ofSeconds(30)))
        .hasMessageContaining("at least 1 minute");
  }

  private static X509Certificate certificate(TlsFiles files) throws Exception {
    return Pem.readCertificates(files.certificateChain()).getFirst();
  }
}
