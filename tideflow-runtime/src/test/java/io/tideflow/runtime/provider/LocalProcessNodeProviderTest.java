package io.tideflow.runtime.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.autoscale.NodeTerminator;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.membership.TestLeader;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.security.NodeCertificates;
import io.tideflow.runtime.security.Pem;
import io.tideflow.runtime.security.TestPki;
import io.tideflow.runtime.transport.proto.TerminateReply;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.Leadership;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProcessNodeProviderTest {
  static final NodeTemplate CHILD =
      new NodeTemplate(
          "child", Resources.of(1_000, 256L << 20), Map.of("tier", "jvm"), Duration.ofSeconds(2));

  private static final Duration MINUTE = Duration.ofMinutes(1);

  private static EtcdProcess etcd;
  private static ClusterStore store;
  private static ClusterWatcher registry;
  private LocalProcessNodeProvider provider;

  @BeforeAll
  static void startEtcd() {
    etcd = EtcdProcess.start();
    store = ClusterStores.open(etcd.uri());
    registry = ClusterWatcher.start(store, Duration.ofSeconds(10));
  }

  @AfterAll
  static void stopEtcd() {
    registry.close();
    store.close();
    etcd.close();
  }

  @AfterEach
  void closeProvider() {
    if (provider != null) {
      provider.close();
    }
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void aMemoryStoreIsRejectedBecauseChildProcessesCannotShareIt() {
    assertThatThrownBy(() -> new LocalProcessNodeProvider("memory:"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("etcd://")
        .hasMessageContaining("'memory:'");
  }

  @Test
  void launchedWorkerJvmsRegisterReadyAndTerminatedOnesExit() throws Exception {
    provider = new LocalProcessNodeProvider(etcd.uri());

    LaunchResult result = provider.launch(CHILD, 2, "r1").get(60, TimeUnit.SECONDS);

    assertThat(result.ok()).as("errors %s", result.errors()).isTrue();
    Map<String, Long> pids = provider.pids();
    assertThat(pids).containsOnlyKeys("child-1", "child-2");
    assertThat(pids.values()).allMatch(LocalProcessNodeProviderTest::alive);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              NodeInfo node = registry.view().node("child-1");
              assertThat(node).isNotNull();
              assertThat(node.state()).isEqualTo(NodeState.READY);
              assertThat(node.provider()).isEqualTo("local-process");
              assertThat(node.labels()).containsEntry("tier", "jvm");
            });

    provider.terminate(List.of("child-1"), "t1").get(30, TimeUnit.SECONDS);

    assertThat(alive(pids.get("child-1"))).isFalse();
    assertThat(alive(pids.get("child-2"))).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node("child-1") == null);
    assertThat(provider.nodes()).extracting(ProvidedNode::nodeId).containsExactly("child-2");
  }

  @Test
  void closingLeavesNoChildProcessAlive() throws Exception {
    provider = new LocalProcessNodeProvider(etcd.uri());
    provider.launch(CHILD, 2, "r1").get(60, TimeUnit.SECONDS);
    StandbyNode standby = provider.prepare(CHILD).get(60, TimeUnit.SECONDS);
    Set<Long> pids = new TreeSet<>(provider.pids().values());
    assertThat(pids).hasSize(3).allMatch(LocalProcessNodeProviderTest::alive);
    assertThat(standby.nodeId()).isEqualTo("child-3");

    provider.close();

    assertThat(pids).noneMatch(LocalProcessNodeProviderTest::alive);
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().nodes().isEmpty());
  }

  @Test
  void releasingLetsTheChildrenRunForTheNextLeaderAndStopsTheStandbys() throws Exception {
    provider = new LocalProcessNodeProvider(etcd.uri());
    provider.launch(CHILD, 1, "r1").get(60, TimeUnit.SECONDS);
    StandbyNode standby = provider.prepare(CHILD).get(60, TimeUnit.SECONDS);
    Map<String, Long> pids = provider.pids();
    long running = pids.get("child-1");
    try {
      provider.release();

      assertThat(alive(running)).as("a released child runs on").isTrue();
      assertThat(registry.view().node("child-1")).isNotNull();
      await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pids.get(standby.nodeId())));
      assertThat(provider.nodes()).isEmpty();
    } finally {
      ProcessHandle.of(running).ifPresent(ProcessHandle::destroyForcibly);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.view().node("child-1") == null);
  }

  @Test
  void aWorkerTheCoordinatorTerminatesExitsWithCodeZero() throws Exception {
    List<String> command = workerCommand("adopted-1");
    Path log = Files.createTempFile("tideflow-adopted-", ".log");
    ChildWorker child = ChildWorker.start("adopted-1", command, Map.of(), log);
    // The test leads, as a coordinator that adopted the worker from a previous leader would.
    Leadership leader = TestLeader.lead(store, "test");
    try {
      String address = child.ready().get(60, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node("adopted-1") != null);

      assertThat(
              NodeTerminator.terminate(
                  address, leader.fencingToken(), Duration.ofSeconds(5), "scale in"))
          .succeedsWithin(Duration.ofSeconds(20))
          .extracting(TerminateReply::getStillRunning)
          .isEqualTo(0);

      Process exited = child.process().onExit().get(20, TimeUnit.SECONDS);
      assertThat(exited.exitValue()).as("exit code 0: an ordered stop").isZero();
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node("adopted-1") == null);
    } finally {
      child.process().destroyForcibly();
      leader.resign().get(10, TimeUnit.SECONDS);
      Files.deleteIfExists(log);
    }
  }

  @Test
  void workerJvmsIssuedCertificatesServeOnlyOverMutualTlsAndTheCoordinatorStopsThem(
      @TempDir Path dir) throws Exception {
    TestPki pki = new TestPki(dir.resolve("pki"), "tideflow");
    pki.ca.save(dir.resolve("ca"));
    Leadership leader = TestLeader.lead(store, "c1");
    try (NodeCertificates certificates =
            NodeCertificates.load(dir.resolve("ca"), Duration.ofHours(1));
        ClusterTls client = ClusterTls.load(pki.issue(Identity.Role.CLIENT, "ops"), MINUTE);
        ClusterTls coordinator =
            ClusterTls.load(pki.issue(Identity.Role.COORDINATOR, "c1"), MINUTE)) {
      provider =
          new LocalProcessNodeProvider(
              LocalProcessConfig.defaults(
                  etcd.uri(), new NodeLinks("127.0.0.1", null, certificates)));
      LaunchResult result = provider.launch(CHILD, 2, "r1").get(60, TimeUnit.SECONDS);
      assertThat(result.ok()).as("errors %s", result.errors()).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().size() == 2);
      String address = registry.view().node("child-1").address();

      assertThat(LinkSecurity.mutualTls(client).probe("child-1", address, MINUTE))
          .succeedsWithin(MINUTE)
          .isEqualTo("mutual TLS 1.3, X25519MLKEM768, spiffe://tideflow/node/child-1");
      assertThat(LinkSecurity.plaintext().probe("child-1", address, Duration.ofSeconds(10)))
          .succeedsWithin(MINUTE)
          .isEqualTo("not reached");
      // Each node has an identity of its own; their etcd user is their pool's.
      assertThat(
              Pem.readCertificates(certificates.directory("child-2").resolve("tls.crt"))
                  .getFirst()
                  .getSubjectX500Principal()
                  .getName())
          .endsWith("CN=pool-child");

      // Only the coordinator's certificate stops a node over its link.
      String second = registry.view().node("child-2").address();
      assertThat(
              NodeTerminator.terminate(
                  LinkSecurity.mutualTls(client),
                  "child-2",
                  second,
                  leader.fencingToken(),
                  Duration.ofSeconds(5),
                  "not a coordinator"))
          .failsWithin(MINUTE)
          .withThrowableThat()
          .withMessageContaining("PERMISSION_DENIED");
      assertThat(
              NodeTerminator.terminate(
                  LinkSecurity.mutualTls(coordinator),
                  "child-2",
                  second,
                  leader.fencingToken(),
                  Duration.ofSeconds(5),
                  "scale in"))
          .succeedsWithin(MINUTE);
      await().atMost(Duration.ofSeconds(20)).until(() -> registry.view().node("child-2") == null);

      provider.terminate(List.of("child-1", "child-2"), "t1").get(30, TimeUnit.SECONDS);
      assertThat(certificates.nodes()).isEmpty();
      assertThat(certificates.directory("child-1")).doesNotExist();
    } finally {
      leader.resign().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPoolOnEtcdOverTlsNeedsCertificatesForItsWorkers() {
    assertThatThrownBy(() -> LocalProcessConfig.defaults("etcds://127.0.0.1:2379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("need certificates")
        .hasMessageContaining("--pool-ca");
  }

  /** The command line of a worker JVM that the test starts itself, not through a provider. */
  private static List<String> workerCommand(String id, String... more) {
    LocalProcessConfig config = LocalProcessConfig.defaults(etcd.uri());
    List<String> command = new ArrayList<>();
    command.add(config.javaCommand());
    command.addAll(config.jvmFlags());
    command.addAll(
        List.of(
            "-cp",
            config.classPath(),
            LocalWorkerMain.class.getName(),
            "--store",
            etcd.uri(),
            "--id",
            id,
            "--cpu-millis",
            "1000"));
    command.addAll(List.of(more));
    return command;
  }

  @Test
  void aWorkerWhoseParentDiedExitsByItself() throws Exception {
    Process parent = new ProcessBuilder("sleep", "30").start();
    List<String> command = workerCommand("orphan-1", "--parent-pid", Long.toString(parent.pid()));
    Path log = Files.createTempFile("tideflow-orphan-", ".log");
    ChildWorker child = ChildWorker.start("orphan-1", command, Map.of(), log);
    try {
      child.ready().get(60, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node("orphan-1") != null);

      parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      Process exited = child.process().onExit().get(10, TimeUnit.SECONDS);
      assertThat(exited.exitValue()).as("exit code 3: parent gone").isEqualTo(3);
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node("orphan-1") == null);
    } finally {
      child.process().destroyForcibly();
      parent.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }

  @Test
  void aPoolWorkerWhoseParentDiedServesOnAndIsAdoptedAndStoppedByTheNextLeader() throws Exception {
    NodeTemplate pool =
        new NodeTemplate(
            "p",
            Resources.of(1_000, 256L << 20),
            Map.of(NodeTemplate.POOL_LABEL, "p"),
            Duration.ofSeconds(2));
    Process parent = new ProcessBuilder("sleep", "60").start();
    List<String> command =
        workerCommand(
            "p-1",
            "--parent-pid",
            Long.toString(parent.pid()),
            "--label",
            NodeTemplate.POOL_LABEL + "=p");
    Path log = Files.createTempFile("tideflow-orphan-", ".log");
    ChildWorker child = ChildWorker.start("p-1", command, Map.of(), log);
    Leadership leader = null;
    try {
      child.ready().get(60, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node("p-1") != null);

      parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      // A successor leads: the orphan waits to be adopted instead of exiting.
      leader = TestLeader.lead(store, "successor");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> Files.readString(log).contains("serving on for a coordinator to adopt"));
      assertThat(child.process().isAlive()).as("the orphan serves on").isTrue();

      provider = new LocalProcessNodeProvider(etcd.uri());
      long token = leader.fencingToken();
      NodeStopper stopper =
          (node, grace) ->
              NodeTerminator.terminate(node.address(), token, grace, "test").thenApply(r -> null);
      assertThat(provider.adopt(pool, registry.view().nodes(), stopper)).containsExactly("p-1");
      assertThat(provider.adopt(pool, registry.view().nodes(), stopper))
          .as("held already")
          .isEmpty();
      assertThat(provider.nodes())
          .singleElement()
          .satisfies(
              n -> {
                assertThat(n.nodeId()).isEqualTo("p-1");
                assertThat(n.status()).isEqualTo(ProvidedNode.Status.RUNNING);
              });
      LaunchResult more = provider.launch(pool, 1, "r1").get(60, TimeUnit.SECONDS);
      assertThat(more.started())
          .as("the adopted id is not handed out again")
          .containsExactly("p-2");

      provider.terminate(List.of("p-1"), "t1").get(30, TimeUnit.SECONDS);

      Process exited = child.process().onExit().get(20, TimeUnit.SECONDS);
      assertThat(exited.exitValue()).as("exit code 0: an ordered stop").isZero();
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node("p-1") == null);
      assertThat(provider.nodes()).extracting(ProvidedNode::nodeId).containsExactly("p-2");
      assertThat(provider.adopt(pool, List.of(), stopper)).isEmpty();
    } finally {
      child.process().destroyForcibly();
      parent.destroyForcibly();
      if (leader != null) {
        leader.resign().get(10, TimeUnit.SECONDS);
      }
      Files.deleteIfExists(log);
    }
  }

  @Test
  void aWorkerThatCannotStartIsAnErrorCarryingTheTailOfItsLogAndThreeMakeTheProviderUnhealthy()
      throws Exception {
    provider =
        new LocalProcessNodeProvider(
            LocalProcessConfig.defaults(etcd.uri())
                .withJvmFlags(List.of("-XX:+NoSuchTideflowFlag")));

    LaunchResult result = provider.launch(CHILD, 3, "r1").get(60, TimeUnit.SECONDS);

    assertThat(result.started()).isEmpty();
    assertThat(result.errors())
        .hasSize(3)
        .allSatisfy(
            error ->
                assertThat(error).contains("exited with code 1").contains("NoSuchTideflowFlag"));
    assertThat(provider.health().healthy()).isFalse();
    assertThat(provider.health().consecutiveFailures()).isEqualTo(3);
    assertThat(provider.nodes()).isEmpty();
  }

  @Test
  void aWarmPoolHandsOutAStandbyWorkerJvmThatOnlyThenJoinsTheCluster() throws Exception {
    provider = new LocalProcessNodeProvider(etcd.uri());
    WarmPool pool = new WarmPool(provider, CHILD, 1);
    await().atMost(Duration.ofSeconds(60)).until(() -> pool.warmNodes() == 1);
    long standbyPid = provider.pids().get("child-1");
    assertThat(registry.view().node("child-1")).as("standby is not registered").isNull();
    assertThat(pool.nodes()).isEmpty();

    LaunchResult result = pool.launch(CHILD, 1, "r1").get(30, TimeUnit.SECONDS);

    assertThat(result.started()).containsExactly("child-1");
    assertThat(provider.pids()).containsEntry("child-1", standbyPid);
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().node("child-1") != null);
    assertThat(registry.view().node("child-1").state()).isEqualTo(NodeState.READY);
    assertThat(pool.nodes())
        .extracting(ProvidedNode::status)
        .containsExactly(ProvidedNode.Status.RUNNING);
    await().atMost(Duration.ofSeconds(60)).until(() -> pool.warmNodes() == 1);

    pool.close();

    assertThat(alive(standbyPid)).isFalse();
    assertThat(workerProcesses()).isEmpty();
  }

  @Test
  void aWorkerOutlivesAnEtcdPauseLongerThanItsLeaseAndIsRegisteredAgainAfterIt() throws Exception {
    try (EtcdProcess own = EtcdProcess.start();
        LocalProcessNodeProvider local = new LocalProcessNodeProvider(own.uri());
        ClusterStore store = ClusterStores.open(own.uri());
        ClusterWatcher registry = ClusterWatcher.start(store, Duration.ofSeconds(10))) {
      local.launch(CHILD, 1, "r1").get(60, TimeUnit.SECONDS);
      long pid = local.pids().get("child-1");
      await().atMost(Duration.ofSeconds(10)).until(() -> registry.view().node("child-1") != null);

      own.pause(); // no keep-alive is answered for well past the worker's 2 s TTL
      try {
        // A store that cannot be reached stops nothing: alive all through 2.5 TTLs of silence.
        await()
            .during(Duration.ofSeconds(5))
            .atMost(Duration.ofSeconds(10))
            .until(() -> alive(pid));
      } finally {
        own.resume();
      }

      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                assertThat(registry.view().node("child-1")).isNotNull();
                assertThat(registry.view().node("child-1").state()).isEqualTo(NodeState.READY);
              });
      assertThat(alive(pid)).isTrue();
      assertThat(local.nodes())
          .singleElement()
          .satisfies(n -> assertThat(n.status()).isEqualTo(ProvidedNode.Status.RUNNING));
    }
  }

  static List<ProcessHandle> workerProcesses() {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                ProcessHandle.current()
                    .descendants()
                    .noneMatch(LocalProcessNodeProviderTest::isWorker));
    return ProcessHandle.current()
        .descendants()
        .filter(LocalProcessNodeProviderTest::isWorker)
        .toList();
  }

  private static boolean isWorker(ProcessHandle p) {
    return p.isAlive()
        && p.info().commandLine().orElse("").contains(LocalWorkerMain.class.getName());
  }
}
