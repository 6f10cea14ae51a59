package io.tideflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.cli.TideflowCommand;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.security.ClusterCa;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.security.TlsFiles;
import io.tideflow.store.etcd.EtcdProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster across hosts: etcd on one, a worker on each of three more, the client and {@code
 * status} on the test's own; network namespaces joined by a bridge stand in for the machines. Every
 * node link is mutual TLS from certificates the CLI made ({@code ca init}, {@code cert issue}), as
 * the README's "Running across machines" does it.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AcrossHostsTest {
  private static final Duration LEASE_TTL = Duration.ofSeconds(3);

  /** A host cut off is gone from the registry after its lease, or silent on its stream for 3 s. */
  private static final Duration MOVE_BOUND = LEASE_TTL.plusSeconds(1);

  private HostLab lab;
  private EtcdProcess etcd;
  private FaultCluster cluster;
  private Path pki;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    lab = HostLab.create("etcd", "w1", "w2", "w3", "w4");
    etcd = EtcdProcess.start(List.of(lab.exec("etcd")), lab.address("etcd"), 2379);
    cluster = new FaultCluster(etcd.uri());
    pki = Files.createTempDirectory("tideflow-hosts-pki");
    tideflow("ca", "init", "--dir", pki.resolve("ca").toString());
    for (String node : List.of("w1", "w2", "w3")) {
      tideflow("cert", "issue", "--ca", ca(), "--node", node, "--out", dir(node));
    }
    tideflow("cert", "issue", "--ca", ca(), "--client", "ops", "--out", dir("ops"));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      for (AutoCloseable c : open.reversed()) {
        c.close();
      }
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      try {
        lab.close();
      } finally {
        if (etcd != null) {
          etcd.close();
        }
      }
    }
  }

  @Test
  void tasksCrossHostsOverMutualTlsAndACutOffHostsWorkMovesWithoutLoss() throws Exception {
    List<ChildJvm> workers = new ArrayList<>();
    for (String w : List.of("w1", "w2", "w3")) {
      workers.add(worker(w));
    }
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    ClusterTls ops = keep(ClusterTls.load(TlsFiles.in(pki.resolve("ops")), Duration.ofMinutes(1)));
    TideflowClient client = cluster.client(metrics, LinkSecurity.mutualTls(ops));
    cluster.awaitReady(client, workers, Duration.ofSeconds(90));
    for (String w : List.of("w1", "w2", "w3")) {
      // Bound to every interface, each advertises the one address its host has.
      assertThat(client.view().node(w).address()).startsWith(lab.address(w) + ":");
    }
    String status = tideflow("status", "--store", etcd.uri(), "--tls-dir", dir("ops"));
    for (String w : List.of("w1", "w2", "w3")) {
      assertThat(status)
          .contains(
              w
                  + " at "
                  + client.view().node(w).address()
                  + ": mutual TLS 1.3, X25519MLKEM768, spiffe://tideflow/node/"
                  + w);
    }

    Load load =
        cluster.own(
            Load.start(client, "t", 300, Duration.ofSeconds(20), 20_000, Duration.ofSeconds(30)));
    await().atMost(Duration.ofSeconds(30)).until(() -> load.answeredBy("w3", 0) >= 100);
    // w1's certificate renewed in place under load: it reads the new one without a restart.
    tideflow("cert", "issue", "--ca", ca(), "--node", "w1", "--out", dir("w1"));
    workers.get(0).awaitOutput("TLS material reloaded", Duration.ofSeconds(20));

    lab.cut("w3");
    long cutAt = System.nanoTime();
    await("w3's tasks placed again after its host was cut off")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> client.stats().retried() > 0);
    long movedAt = System.nanoTime();
    Load.Tally tally = load.await(Duration.ofSeconds(60));
    ScenarioReport report =
        ScenarioReport.of(
                "host-cut-over-mtls",
                tally,
                cluster.executions().duplicated("t-"),
                cutAt,
                movedAt,
                "TLS handshakes of the client: "
                    + ops.stats().handshakes()
                    + ", refused: "
                    + ops.stats().refused())
            .print();

    assertThat(report.failed()).as("failed: " + report.failedByKind()).isZero();
    assertThat(report.completed()).isEqualTo(report.submitted());
    assertThat(Duration.ofMillis(report.movedMillis())).isLessThanOrEqualTo(MOVE_BOUND);
    assertThat(load.answeredBy("w3", movedAt)).as("nothing answered from the cut host").isZero();
    assertThat(ops.stats().handshakes().keySet()).containsOnly("client/X25519MLKEM768");
    assertThat(ops.stats().refused()).isEmpty();
    assertThat(workers.subList(0, 2)).allMatch(ChildJvm::alive);
  }

  @Test
  void nodesWithAForeignOrAnExpiredCertificateAreRefusedAndSayWhy() throws Exception {
    // w4 holds a certificate from another CA, and trusts that CA alone.
    tideflow("ca", "init", "--dir", pki.resolve("other-ca").toString());
    tideflow(
        "cert",
        "issue",
        "--ca",
        pki.resolve("other-ca").toString(),
        "--node",
        "w4",
        "--out",
        dir("w4"));
    ChildJvm w1 = worker("w1");
    ChildJvm w4 = worker("w4");
    ClusterTls ops = keep(ClusterTls.load(TlsFiles.in(pki.resolve("ops")), Duration.ofMinutes(1)));
    TideflowClient client = cluster.client(new SimpleMeterRegistry(), LinkSecurity.mutualTls(ops));
    cluster.awaitReady(client, List.of(w1, w4), Duration.ofSeconds(90));

    Load load =
        cluster.own(
            Load.start(client, "t", 200, Duration.ofSeconds(5), 20_000, Duration.ofSeconds(30)));
    Load.Tally tally = load.await(Duration.ofSeconds(60));
    assertThat(tally.failed()).as("failed: " + tally.failedByKind()).isZero();
    assertThat(load.answeredBy("w4", 0)).as("nothing sent to a node of a foreign CA").isZero();
    assertThat(ops.stats().refused()).containsKey("client");
    assertThat(tideflow("status", "--store", etcd.uri(), "--tls-dir", dir("ops")))
        .containsPattern(
            "w4 at [0-9.:]+: refused: certificate of spiffe://tideflow/node/w4 .* is not trusted");

    // w3's certificate ran out: it will not start on it, and says what to do.
    Instant now = Instant.now();
    ClusterCa.load(pki.resolve("ca"))
        .issue(
            Identity.Role.NODE,
            "w3",
            List.of(),
            now.minus(Duration.ofDays(2)),
            now.minus(Duration.ofDays(1)))
        .save(pki.resolve("w3"));
    ChildJvm w3 = worker("w3");
    assertThat(w3.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
    assertThat(w3.output())
        .contains("(spiffe://tideflow/node/w3) is valid only from")
        .contains("issue a new one (tideflow cert issue)");
  }

  /** {@code tideflow worker} on the host of its name, on every interface, over mutual TLS. */
  private ChildJvm worker(String name) {
    return cluster.start(
        cluster
            .workerSpec(
                name,
                etcd.uri(),
                LEASE_TTL,
                "--bind",
                "0.0.0.0",
                "--tls-dir",
                dir(name),
                "--tls-reload",
                "500ms")
            .under(lab.exec(name)));
  }

  private String ca() {
    return pki.resolve("ca").toString();
  }

  private String dir(String name) {
    return pki.resolve(name).toString();
  }

  private <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }

  /** Runs a {@code tideflow} command in this JVM (this host); what it printed, or a failure. */
  private static String tideflow(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    PrintStream stdout = System.out;
    int code;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      code = TideflowCommand.commandLine().setErr(new PrintWriter(err, true)).execute(args);
    } finally {
      System.setOut(stdout);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as("tideflow " + String.join(" ", args) + ": " + err + printed).isZero();
    return printed;
  }
}
