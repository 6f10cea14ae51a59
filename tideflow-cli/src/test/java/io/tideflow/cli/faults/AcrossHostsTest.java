package io.tideflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.cli.TideflowCommand;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.security.ClusterCa;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.security.TlsFiles;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdCredentials;
import io.tideflow.store.etcd.EtcdProcess;
import io.tideflow.store.etcd.EtcdTls;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster across hosts: etcd on one, a worker on each of three more, a coordinator whose pool
 * node runs beside it on another, the client and {@code status} on the test's own; network
 * namespaces joined by a bridge stand in for the machines. Every node link is mutual TLS from
 * certificates the CLI made ({@code ca init}, {@code cert issue}), as the README's "Running across
 * machines" does it.
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
  private ReadmeCommands readme;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    lab = HostLab.create("etcd", "w1", "w2", "w3", "w4", "c1");
    pki = Files.createTempDirectory("tideflow-hosts-pki");
    readme = ReadmeCommands.read("across-hosts");
    for (List<String> args : readme.commands()) {
      if (List.of("ca", "cert").contains(args.get(0))) {
        tideflow(inPki(args));
      }
    }
    // etcd as the README starts it: over TLS, on its host, taking only the cluster CA's clients.
    assertThat(readme.etcdLine())
        .contains("https://" + lab.address("etcd") + ":2379")
        .contains("--cert-file etcd/tls.crt --key-file etcd/tls.key --trusted-ca-file etcd/ca.crt")
        .contains("--client-cert-auth");
    etcd =
        EtcdProcess.start(
            List.of(lab.exec("etcd")),
            lab.address("etcd"),
            2379,
            new EtcdTls(pki.resolve("etcd"), pki.resolve("ops")));
    for (List<String> args : readme.commands()) {
      assertThat(ReadmeCommands.option(args, "--store")).isIn(null, etcd.uri());
      if (args.get(0).equals("store")) {
        // etcd's users and roles, then its auth on: every process below runs under its own.
        tideflow(inPki(args));
      }
    }
    cluster = new FaultCluster(etcd.uri(), new EtcdCredentials(pki.resolve("ops"), null, null));
  }

  /** {@code args} with the directories they name taken inside this test's own directory. */
  private String[] inPki(List<String> args) {
    List<String> out = new ArrayList<>(args);
    for (int i = 0; i + 1 < out.size(); i++) {
      if (List.of("--dir", "--ca", "--out", "--tls-dir", "--store-tls-dir", "--pool-ca")
          .contains(out.get(i))) {
        out.set(i + 1, pki.resolve(out.get(i + 1)).toString());
      }
    }
    return out.toArray(String[]::new);
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
    for (List<String> args : readme.commands()) {
      if (args.get(0).equals("worker")) {
        // As the README says, with this test's lease, a free metrics port and a quick reload.
        String id = ReadmeCommands.option(args, "--id");
        List<String> full = new ArrayList<>(List.of(inPki(args)));
        full.addAll(
            List.of(
                "--lease-ttl",
                LEASE_TTL.toMillis() + "ms",
                "--metrics-port",
                "0",
                "--tls-reload",
                "500ms"));
        workers.add(
            cluster.start(
                ChildJvm.Spec.tideflow(
                        id, cluster.handlerProperties(id), full.toArray(String[]::new))
                    .under(lab.exec(id))));
      }
    }
    assertThat(workers).extracting(ChildJvm::name).containsExactly("w1", "w2", "w3");
    // The coordinator as the README starts it, its pool held at one node so the load below
    // spreads over four nodes throughout.
    List<String> coordinatorArgs = new ArrayList<>(List.of(inPki(readme.command("coordinator"))));
    assertThat(ReadmeCommands.option(coordinatorArgs, "--pool-ca")).isEqualTo(ca());
    coordinatorArgs.set(coordinatorArgs.indexOf("--max") + 1, "1");
    ChildJvm coordinator =
        cluster.start(
            ChildJvm.Spec.tideflow(
                    "c1", cluster.handlerProperties("c1"), coordinatorArgs.toArray(String[]::new))
                .under(lab.exec("c1")));
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    ClusterTls ops = keep(ClusterTls.load(TlsFiles.in(pki.resolve("ops")), Duration.ofMinutes(1)));
    TideflowClient client = cluster.client(metrics, LinkSecurity.mutualTls(ops));
    cluster.awaitReady(client, workers, Duration.ofSeconds(90));
    for (String w : List.of("w1", "w2", "w3")) {
      // Bound to every interface, each advertises the one address its host has.
      assertThat(client.view().node(w).address()).startsWith(lab.address(w) + ":");
    }
    // The pool's node, started by the coordinator on its host with a certificate it issued.
    await("the pool's node READY on the coordinator's host")
        .atMost(Duration.ofSeconds(90))
        .until(() -> client.view().node("web-1") != null);
    assertThat(client.view().node("web-1").address()).startsWith(lab.address("c1") + ":");
    assertThat(tideflow(inPki(readme.command("submit")))).isEqualTo("9592\n");
    String status = tideflow(inPki(readme.command("status")));
    for (String w : List.of("w1", "w2", "w3", "web-1")) {
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
    assertThat(load.answeredBy("web-1", 0))
        .as("the pool's node served over mutual TLS")
        .isPositive();
    assertThat(coordinator.alive()).isTrue();
  }

  @Test
  void nodesWithAForeignOrAnExpiredCertificateReachNothingAndSayWhy() throws Exception {
    // w4 holds a certificate from another CA: etcd refuses it, so it never registers.
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
    ChildJvm w4 = worker("w4");
    assertThat(w4.awaitExit(Duration.ofSeconds(60))).as(w4.output()).isEqualTo(3);
    assertThat(w4.output()).contains("tideflow: ").contains(etcd.uri().replace("etcds://", ""));
    assertThat(cluster.store().get("/tideflow/nodes/w4").get(10, TimeUnit.SECONDS)).isEmpty();

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

  @Test
  void aForgedRegistryEntryPointingAcrossHostsIsRefusedByEveryClient() throws Exception {
    // w4 is a real node of the cluster, with its own certificate and etcd user.
    tideflow(
        "store", "grant", "--store", etcd.uri(), "--store-tls-dir", dir("root"), "--node", "w4");
    tideflow("cert", "issue", "--ca", ca(), "--node", "w4", "--out", dir("w4"));
    ChildJvm w4 = worker("w4");
    ClusterTls ops = keep(ClusterTls.load(TlsFiles.in(pki.resolve("ops")), Duration.ofMinutes(1)));
    TideflowClient client = cluster.client(new SimpleMeterRegistry(), LinkSecurity.mutualTls(ops));
    cluster.awaitReady(client, List.of(w4), Duration.ofSeconds(90));
    String w4Address = client.view().node("w4").address();

    // Whoever can write etcd's registry (here its root) says that w2 lives at w4's address.
    try (ClusterStore root =
        ClusterStores.open(etcd.uri(), new EtcdCredentials(pki.resolve("root"), null, null))) {
      NodeInfo forged =
          new NodeInfo(
              "w2",
              "local-process",
              w4Address,
              Map.of(),
              Resources.of(8_000, 1L << 30),
              NodeState.READY,
              LoadReport.NONE);
      root.put(ClusterKeys.node("w2"), NodeRecords.encode(forged), 0).get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> client.view().node("w2") != null);

    String status = tideflow(inPki(readme.command("status")));
    assertThat(status)
        .contains(
            "w2 at "
                + w4Address
                + ": refused: the node dialled as w2 (its registry entry) presented the"
                + " certificate of spiffe://tideflow/node/w4")
        .contains(
            "w4 at " + w4Address + ": mutual TLS 1.3, X25519MLKEM768, spiffe://tideflow/node/w4");
    // Tasks meant for w2 are never sent down the forged link: the handshake ends first.
    for (int i = 0; i < 20; i++) {
      client.submit(TaskSpec.builder("echo").build()).get(30, TimeUnit.SECONDS);
    }
    assertThat(ops.stats().refused()).containsKey("client");
    assertThat(ops.stats().handshakes()).containsOnlyKeys("client/X25519MLKEM768");
    assertThat(client.stats().failed()).isZero();
  }

  /**
   * {@code tideflow worker} on the host of its name, on every interface, over mutual TLS, its
   * certificate also its credential with etcd.
   */
  private ChildJvm worker(String name) {
    return cluster.start(
        cluster
            .workerSpec(
                name,
                etcd.uri(),
                LEASE_TTL,
                "--store-tls-dir",
                dir(name),
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
