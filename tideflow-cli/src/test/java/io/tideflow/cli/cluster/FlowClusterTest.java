package io.tideflow.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.runtime.flow.FlowRecords;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A flow deployed with {@code tideflow deploy} onto worker JVMs on a real etcd, one of which is
 * killed with SIGKILL mid-flow: every message reaches the sink, duplicates are counted, and the
 * rate at the sink comes back.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FlowClusterTest {
  private static final int TOTAL = 40_000;
  private static final int RATE = 2_000;

  private final List<NodeProcess> children = new ArrayList<>();
  private EtcdProcess etcd;
  private ClusterStore store;
  private Path logs;
  private Path out;
  private NodeProcess coordinator;

  @BeforeEach
  void startCluster() throws Exception {
    etcd = EtcdProcess.start();
    store = ClusterStores.open(etcd.uri());
    logs = Files.createTempDirectory("tideflow-flow-cluster");
    out = Files.createDirectories(logs.resolve("sink"));
    coordinator = start("c1", "coordinator", "--id", "c1", "--lease-ttl", "2s");
    for (String id : List.of("w1", "w2", "w3")) {
      start(id, "worker", "--id", id, "--lease-ttl", "2s");
    }
  }

  private NodeProcess start(String name, String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command, "--store", etcd.uri()));
    all.addAll(List.of(args));
    if (command.equals("coordinator")) {
      all.addAll(List.of("--metrics-port", "0")); // its /flows is read below
    } else if (!command.equals("deploy")) {
      all.addAll(List.of("--metrics-port", "-1"));
    }
    NodeProcess p = NodeProcess.start(name, logs, all.toArray(String[]::new));
    children.add(p);
    return p;
  }

  @AfterEach
  void stopCluster() throws Exception {
    for (NodeProcess child : children) {
      child.close();
    }
    store.close();
    etcd.close();
  }

  /** Every number the sink wrote, with repeats. */
  private List<Long> delivered() {
    List<Long> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.toList()) {
        String text = Files.readString(f);
        // Only whole lines: the sink may be writing the last one right now.
        int end = text.lastIndexOf('\n');
        for (String line : text.substring(0, end + 1).split("\n")) {
          if (!line.isEmpty()) {
            all.add(Long.parseLong(line));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all;
  }

  private FlowRecords.Placement placement() {
    return store
        .get(ClusterKeys.placement("survive"))
        .join()
        .map(kv -> FlowRecords.decodePlacement(kv.value()))
        .orElse(null);
  }

  @Test
  void aWorkerKilledMidFlowLosesNoMessage() throws Exception {
    Path file = logs.resolve("survive.yaml");
    Files.writeString(
        file,
        """
        name: survive
        processes:
          - {name: source, type: sequence, parallelism: 1, cpu: 100, outputs: [out], properties: {count: %d, rate: %d}}
          - {name: work, type: spin, parallelism: 6, cpu: 100, inputs: [in], outputs: [out], properties: {nanos: 20000}}
          - {name: sink, type: file, parallelism: 1, cpu: 100, inputs: [in], properties: {dir: "%s", format: number}}
        connections:
          - {from: source.out, to: work.in, routing: round_robin, capacity: 64}
          - {from: work.out, to: sink.in, routing: round_robin, capacity: 64}
        """
            .formatted(TOTAL, RATE, out));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> store.list(ClusterKeys.NODES).join().kvs().size() == 3);
    NodeProcess deploy = start("deploy", "deploy", file.toString(), "--wait", "30s");
    assertThat(deploy.exitCode(Duration.ofSeconds(60))).as(deploy.output()).isZero();
    assertThat(deploy.output()).contains("flow survive deployed: 3 processes, 8 instances");

    // The coordinator's /flows shows the flow running, every instance reported by its worker.
    java.util.regex.Matcher url =
        java.util.regex.Pattern.compile("metrics (http://\\S+)/metrics")
            .matcher(coordinator.output());
    assertThat(url.find()).as(coordinator.output()).isTrue();
    java.net.URI flowsPage = java.net.URI.create(url.group(1) + "/flows");
    try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(
                          http.send(
                                  java.net.http.HttpRequest.newBuilder(flowsPage).build(),
                                  java.net.http.HttpResponse.BodyHandlers.ofString())
                              .body())
                      .contains("flow survive: RUNNING")
                      .contains("partitions")
                      .containsPattern("work#0: (BUSY|IDLE|BACKPRESSURED), busy")
                      .doesNotContain("no report yet"));
    }

    FlowRecords.Placement before = placement();
    Set<String> keep = Set.of(before.nodes().get("source#0"), before.nodes().get("sink#0"));
    String victim =
        before.nodes().entrySet().stream()
            .filter(e -> e.getKey().startsWith("work") && !keep.contains(e.getValue()))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "every work instance is with the source or sink: " + before));
    await().atMost(Duration.ofSeconds(60)).until(() -> delivered().size() > TOTAL / 4);
    RateProbe probe = new RateProbe();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> probe.perSecond() >= 0.9 * RATE);

    long killedAt = System.nanoTime();
    children.stream().filter(c -> c.name().equals(victim)).findFirst().orElseThrow().kill();

    await().atMost(Duration.ofSeconds(30)).until(() -> placement().epoch() > before.epoch());
    assertThat(placement().nodes().values()).doesNotContain(victim);
    // Within 10 s of the kill the sink takes messages at 90 % of the rate before again.
    probe.perSecond();
    await()
        .atMost(Duration.ofSeconds(10).minusNanos(System.nanoTime() - killedAt))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> probe.perSecond() >= 0.9 * RATE);
    System.out.printf(
        "rate at the sink back to 90 %% %.1f s after the kill%n",
        (System.nanoTime() - killedAt) / 1e9);
    await().atMost(Duration.ofSeconds(90)).until(() -> new HashSet<>(delivered()).size() >= TOTAL);
    List<Long> all = delivered();
    Set<Long> distinct = new HashSet<>(all);
    assertThat(distinct).hasSize(TOTAL);
    assertThat(distinct.stream().mapToLong(Long::longValue).max().getAsLong()).isEqualTo(TOTAL - 1);
    System.out.printf(
        "killed %s: %d messages delivered, %d of them twice (taken by the dead node, not yet safe)%n",
        victim, TOTAL, all.size() - distinct.size());
  }

  /** The sink's rate between two looks, one per poll of the await that asks. */
  private final class RateProbe {
    private int count = delivered().size();
    private long at = System.nanoTime();

    double perSecond() {
      int c = delivered().size();
      long now = System.nanoTime();
      double rate = (c - count) / ((now - at) / 1e9);
      count = c;
      at = now;
      return rate;
    }
  }
}
