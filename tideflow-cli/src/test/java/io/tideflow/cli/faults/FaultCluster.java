package io.tideflow.cli.faults;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * The processes of one fault scenario: worker JVMs (and whatever else the test starts) against a
 * store URI, their logs and the execution logs of {@link CountingHandlers} in one temporary
 * directory, and clients in the test JVM. {@link #close()} stops all of it, children first; the
 * store itself (an etcd process or cluster) belongs to the test.
 */
final class FaultCluster implements AutoCloseable {
  private static final Pattern METRICS_URL = Pattern.compile("metrics (http://\\S+/metrics)");
  private static final Pattern IN_FLIGHT =
      Pattern.compile("^tideflow_worker_tasks_in_flight\\{[^}]*\\} (\\S+)$", Pattern.MULTILINE);

  private final String storeUri;
  private final Path dir;
  private final Path executions;
  private final List<ChildJvm> children = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ClusterStore store;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  FaultCluster(String storeUri) throws IOException {
    this(storeUri, EtcdCredentials.NONE);
  }

  /** The test JVM reaching the store with {@code credentials} (e.g. over TLS). */
  FaultCluster(String storeUri, EtcdCredentials credentials) throws IOException {
    this.storeUri = storeUri;
    this.dir = Files.createTempDirectory("tideflow-faults");
    this.executions = dir.resolve("executions");
    this.store = ClusterStores.open(storeUri, credentials);
  }

  /** The test JVM's own connection to the store (for its clients and for looking). */
  ClusterStore store() {
    return store;
  }

  Path executionLogs() {
    return executions;
  }

  Executions executions() {
    return Executions.read(executions);
  }

  /**
   * Starts {@code tideflow worker} named {@code name} under a lease of {@code leaseTtl}, with
   * {@code /metrics} on a free port and the counting handler logging to this scenario's directory.
   */
  ChildJvm worker(String name, Duration leaseTtl, String... extraArgs) {
    return start(workerSpec(name, storeUri, leaseTtl, extraArgs));
  }

  ChildJvm.Spec workerSpec(String name, String uri, Duration leaseTtl, String... extraArgs) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "worker",
                "--store",
                uri,
                "--id",
                name,
                "--lease-ttl",
                leaseTtl.toMillis() + "ms",
                "--metrics-port",
                "0"));
    args.addAll(List.of(extraArgs));
    return ChildJvm.Spec.tideflow(name, handlerProperties(name), args.toArray(String[]::new));
  }

  /**
   * Starts {@code tideflow coordinator} named {@code name} under a leadership lease of {@code
   * leaseTtl}; {@code extraArgs} add a pool. Pool nodes it starts log their runs here too.
   */
  ChildJvm coordinator(String name, Duration leaseTtl, String... extraArgs) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "coordinator",
                "--store",
                storeUri,
                "--id",
                name,
                "--lease-ttl",
                leaseTtl.toMillis() + "ms",
                "--metrics-port",
                "-1"));
    args.addAll(List.of(extraArgs));
    return start(
        ChildJvm.Spec.tideflow(name, handlerProperties(name), args.toArray(String[]::new)));
  }

  /** What a child JVM needs for {@link CountingHandlers} to log its runs here. */
  Map<String, String> handlerProperties(String name) {
    return Map.of(
        CountingHandlers.DIR_PROPERTY, executions.toString(), CountingHandlers.NODE_PROPERTY, name);
  }

  ChildJvm start(ChildJvm.Spec spec) {
    ChildJvm child = ChildJvm.start(spec, dir);
    children.add(child);
    return child;
  }

  /** Closes {@code c} with this cluster, before the children stop. */
  <T extends AutoCloseable> T own(T c) {
    closeables.add(c);
    return c;
  }

  TideflowClient client() {
    return client(new SimpleMeterRegistry());
  }

  /** A client whose meters (back-offs, severed streams, ...) go to {@code metrics}. */
  TideflowClient client(MeterRegistry metrics) {
    return client(metrics, LinkSecurity.plaintext());
  }

  /** The same, dialling the workers as {@code security} says. */
  TideflowClient client(MeterRegistry metrics, LinkSecurity security) {
    return own(TideflowClient.connect(store, ClientConfig.defaults(), metrics, security));
  }

  /**
   * Waits until {@code client} sees every one of {@code workers} READY; fails fast if one exits.
   */
  void awaitReady(TideflowClient client, Collection<ChildJvm> workers, Duration atMost) {
    try {
      await("workers " + workers.stream().map(ChildJvm::name).toList() + " READY")
          .atMost(atMost)
          .failFast("a worker exited", () -> workers.stream().anyMatch(w -> !w.alive()))
          .until(() -> workers.stream().allMatch(w -> ready(client, w.name())));
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      // The reason is in the workers' own words.
      throw new AssertionError(e.getMessage() + "\n" + logs(), e);
    }
  }

  static boolean ready(TideflowClient client, String nodeId) {
    NodeInfo node = client.view().node(nodeId);
    return node != null && node.state() == NodeState.READY;
  }

  /** The worker's own gauge {@code tideflow.worker.tasks.in_flight}: running plus queued. */
  double inFlight(ChildJvm worker) throws IOException, InterruptedException {
    Matcher url = METRICS_URL.matcher(worker.output());
    if (!url.find()) {
      throw new IllegalStateException(worker.name() + " printed no metrics URL");
    }
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url.group(1))).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher gauge = IN_FLIGHT.matcher(r.body());
    if (!gauge.find()) {
      throw new IllegalStateException(worker.name() + " /metrics has no in-flight gauge");
    }
    return Double.parseDouble(gauge.group(1));
  }

  /** Everything the scenario's processes printed, for a failure message. */
  String logs() {
    StringBuilder b = new StringBuilder();
    for (ChildJvm c : children) {
      String out = c.output();
      b.append("--- ").append(c.name()).append(" (pid ").append(c.pid()).append(")\n");
      b.append(out, Math.max(0, out.length() - 4000), out.length()).append('\n');
    }
    return b.toString();
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (AutoCloseable c : closeables.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    for (ChildJvm c : children) {
      try {
        c.close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    killStrays();
    store.close();
    deleteRecursively(dir);
    if (first != null) {
      throw first;
    }
  }

  /**
   * Kills the pool nodes of this scenario's store that outlived their coordinator: a killed
   * coordinator's children wait for a successor to adopt them, and must not outlive the test.
   */
  private void killStrays() {
    ProcessHandle.allProcesses()
        .filter(
            p ->
                p.info()
                    .commandLine()
                    .filter(c -> c.contains("LocalWorkerMain") && c.contains(storeUri + " "))
                    .isPresent())
        .forEach(ProcessHandle::destroyForcibly);
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
