package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.runtime.autoscale.NodeTerminator;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.membership.TestLeader;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.security.Pem;
import io.tideflow.runtime.security.TlsFiles;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ca init}, {@code cert issue}, and a worker beyond loopback that only mutual TLS reaches.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SecureClusterCommandTest {
  @TempDir Path dir;

  @Test
  void aCaAndCertificatesFromTheCliLetAWorkerListenOnEveryInterfaceAndServeTasks()
      throws Exception {
    Path ca = dir.resolve("ca");
    assertThat(run("ca", "init", "--dir", ca.toString(), "--name", "prod")).isEqualTo(ExitCodes.OK);
    assertThat(Files.getPosixFilePermissions(ca.resolve("ca.key")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    // A second init would orphan every certificate of the first: refused.
    assertThat(run("ca", "init", "--dir", ca.toString())).isEqualTo(ExitCodes.FAILED);
    for (String[] who :
        new String[][] {{"--node", "w1"}, {"--client", "ops"}, {"--coordinator", "c1"}}) {
      assertThat(
              run(
                  "cert",
                  "issue",
                  "--ca",
                  ca.toString(),
                  who[0],
                  who[1],
                  "--out",
                  dir.resolve(who[1]).toString()))
          .isEqualTo(ExitCodes.OK);
    }

    try (EtcdProcess etcd = EtcdProcess.start();
        ClusterStore store = ClusterStores.open(etcd.uri());
        ClusterTls coordinatorTls =
            ClusterTls.load(TlsFiles.in(dir.resolve("c1")), Duration.ofMinutes(1))) {
      Leadership leader = TestLeader.lead(store, "c1");
      CompletableFuture<Integer> worker =
          CompletableFuture.supplyAsync(
              () ->
                  run(
                      "worker",
                      "--store",
                      etcd.uri(),
                      "--id",
                      "w1",
                      "--bind",
                      "0.0.0.0",
                      "--advertise",
                      "127.0.0.1",
                      "--tls-dir",
                      dir.resolve("w1").toString(),
                      "--metrics-port",
                      "-1"));
      String key = ClusterKeys.node("w1");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> store.get(key).get(10, TimeUnit.SECONDS).isPresent());
      KeyValue entry = store.get(key).get(10, TimeUnit.SECONDS).orElseThrow();
      String address = NodeRecords.decode(entry.key(), entry.value()).address();

      assertThat(
              run(
                  "submit",
                  "--store",
                  etcd.uri(),
                  "--tls-dir",
                  dir.resolve("ops").toString(),
                  "--handler",
                  "echo",
                  "--count",
                  "50"))
          .isEqualTo(ExitCodes.OK);
      ByteArrayOutputStream status = new ByteArrayOutputStream();
      PrintStream stdout = System.out;
      System.setOut(new PrintStream(status, true, StandardCharsets.UTF_8));
      try {
        assertThat(run("status", "--store", etcd.uri(), "--tls-dir", dir.resolve("ops").toString()))
            .isEqualTo(ExitCodes.OK);
      } finally {
        System.setOut(stdout);
      }
      assertThat(status.toString(StandardCharsets.UTF_8))
          .contains("w1 at " + address + ": mutual TLS 1.3, X25519MLKEM768, spiffe://prod/node/w1");
      // Without a certificate nothing reaches it: the plaintext client's tasks fail.
      assertThat(run("submit", "--store", etcd.uri(), "--handler", "echo", "--timeout", "2s"))
          .isEqualTo(ExitCodes.FAILED);

      assertThat(
              NodeTerminator.terminate(
                  LinkSecurity.mutualTls(coordinatorTls),
                  "w1",
                  address,
                  leader.fencingToken(),
                  Duration.ofSeconds(5),
                  "scale in"))
          .succeedsWithin(Duration.ofSeconds(20));
      assertThat(worker).succeedsWithin(Duration.ofSeconds(20)).isEqualTo(ExitCodes.OK);
    }
  }

  @Test
  void aCertificateMayTrustANewCaBesideItsIssuerWhileTheClusterMovesToIt() throws Exception {
    Path old = dir.resolve("ca");
    Path next = dir.resolve("ca2");
    assertThat(run("ca", "init", "--dir", old.toString())).isEqualTo(ExitCodes.OK);
    assertThat(run("ca", "init", "--dir", next.toString())).isEqualTo(ExitCodes.OK);
    Path w1 = dir.resolve("w1");
    assertThat(
            run(
                "cert",
                "issue",
                "--ca",
                next.toString(),
                "--also-trust",
                old.resolve("ca.crt").toString(),
                "--node",
                "w1",
                "--out",
                w1.toString()))
        .isEqualTo(ExitCodes.OK);
    List<X509Certificate> trusted = Pem.readCertificates(w1.resolve("ca.crt"));
    assertThat(trusted)
        .containsExactly(
            Pem.readCertificates(next.resolve("ca.crt")).getFirst(),
            Pem.readCertificates(old.resolve("ca.crt")).getFirst());
    assertThat(Pem.readCertificates(w1.resolve("tls.crt")).getFirst().getIssuerX500Principal())
        .isEqualTo(trusted.getFirst().getSubjectX500Principal());
    // Loadable as it is: both CAs are of the same trust domain.
    ClusterTls.load(TlsFiles.in(w1), Duration.ofMinutes(1)).close();
    // A file without a certificate is named.
    Files.writeString(dir.resolve("empty.crt"), "nothing here\n");
    assertThat(
            run(
                "cert",
                "issue",
                "--ca",
                next.toString(),
                "--also-trust",
                dir.resolve("empty.crt").toString(),
                "--node",
                "w1",
                "--out",
                w1.toString()))
        .isNotEqualTo(ExitCodes.OK);
  }

  private static int run(String... args) {
    StringWriter err = new StringWriter();
    int code = TideflowCommand.commandLine().setErr(new PrintWriter(err, true)).execute(args);
    if (code != ExitCodes.OK) {
      System.err.println("tideflow " + String.join(" ", args) + " -> " + code + ": " + err);
    }
    return code;
  }
}
