package io.tideflow.runtime.provider;

import static io.tideflow.runtime.provider.LocalProcessNodeProviderTest.CHILD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A hundred scale events against real worker JVMs and a real etcd, with a client submitting tasks
 * all along: not one task lost, not one process left.
 *
 * <p>To stay within a minute and a half on two cores, events follow one another without waiting for
 * launches to finish: most launched JVMs are terminated while they start (the case most likely to
 * leak a process), and every tenth event the test waits for everything in flight and checks that
 * the running workers are READY in the registry. About 100 JVMs are spawned; some 10 to 25 of them
 * get all the way to READY. Tasks on a terminated worker are placed again by the client (so they
 * may take several attempts); every one must complete.
 */
class LocalProcessScaleTest {
  private static final int EVENTS = 100;
  private static final int SETTLE_EVERY = 10;
  private static final int MAX_NODES = 3;

  @Test
  void aHundredScaleEventsLeaveNoWorkerProcessBehind() throws Exception {
    Set<Long> seen = new TreeSet<>();
    try (EtcdProcess etcd = EtcdProcess.start();
        ClusterStore store = ClusterStores.open(etcd.uri());
        ClusterWatcher registry = ClusterWatcher.start(store, Duration.ofSeconds(10))) {
      LocalProcessNodeProvider provider =
          new LocalProcessNodeProvider(
              LocalProcessConfig.defaults(etcd.uri()).withStopGrace(Duration.ofSeconds(3)));
      AtomicBoolean loading = new AtomicBoolean(true);
      List<CompletableFuture<TaskResult>> tasks = Collections.synchronizedList(new ArrayList<>());
      try (TideflowClient client =
          TideflowClient.connect(
              store,
              ClientConfig.defaults(),
              new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
        Thread load =
            Thread.ofPlatform()
                .name("scale-test-load")
                .start(
                    () -> {
                      // At most 8 in flight: a steady trickle across the churn, not a flood on 2
                      // cores.
                      Semaphore window = new Semaphore(8);
                      while (loading.get()) {
                        try {
                          if (!window.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                            continue;
                          }
                        } catch (InterruptedException e) {
                          return;
                        }
                        CompletableFuture<TaskResult> f =
                            client.submit(
                                TaskSpec.builder("noop")
                                    .maxAttempts(20)
                                    .timeout(Duration.ofSeconds(120))
                                    .build());
                        f.whenComplete((r, e) -> window.release());
                        tasks.add(f);
                      }
                    });
        try {
          runEvents(provider, registry, seen);
        } finally {
          loading.set(false);
          load.join();
        }
        for (CompletableFuture<TaskResult> f : List.copyOf(tasks)) {
          assertThat(f.get(150, TimeUnit.SECONDS)).isNotNull();
        }
        TideflowClient.Stats stats = client.stats();
        System.out.println("scale test: " + stats);
        assertThat(stats.failed()).as("tasks failed or lost").isZero();
        assertThat(stats.completed()).isEqualTo(tasks.size()).isGreaterThan(100);
      } finally {
        provider.close();
      }
      assertThat(seen).as("worker pids seen").hasSizeGreaterThan(EVENTS / 4);
      assertThat(ready.get()).as("workers found READY at settle points").isGreaterThan(3);
      System.out.println(
          "scale test: "
              + seen.size()
              + " worker JVMs, "
              + ready.get()
              + " READY at settle points");
      assertThat(seen)
          .as("worker processes alive after close")
          .noneMatch(LocalProcessNodeProviderTest::alive);
      assertThat(workerDescendants()).as("no LocalWorkerMain below this JVM").isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> registry.view().nodes().isEmpty());
    }
  }

  private static void runEvents(
      LocalProcessNodeProvider provider, ClusterWatcher registry, Set<Long> seen) throws Exception {
    Random random = new Random(42);
    List<CompletableFuture<?>> inFlight = new ArrayList<>();
    List<String> up = new ArrayList<>();
    for (int event = 1; event <= EVENTS; event++) {
      boolean grow = up.isEmpty() || (up.size() < MAX_NODES && random.nextBoolean());
      if (grow) {
        int count = 1 + random.nextInt(MAX_NODES - up.size());
        CompletableFuture<LaunchResult> launch = provider.launch(CHILD, count, "launch-" + event);
        inFlight.add(launch);
        int before = up.size();
        await().atMost(Duration.ofSeconds(10)).until(() -> live(provider).size() == before + count);
        up.clear();
        up.addAll(live(provider));
      } else {
        int count = 1 + random.nextInt(up.size());
        List<String> victims = new ArrayList<>(up.subList(0, count));
        inFlight.add(provider.terminate(victims, "terminate-" + event));
        up.removeAll(victims);
      }
      seen.addAll(provider.pids().values());
      if (event % SETTLE_EVERY == 0) {
        settle(provider, registry, inFlight, up);
      }
    }
  }

  /** Nodes launching or running: not being terminated. */
  private static List<String> live(LocalProcessNodeProvider provider) {
    return provider.nodes().stream()
        .filter(n -> n.status() != ProvidedNode.Status.TERMINATING)
        .map(ProvidedNode::nodeId)
        .toList();
  }

  /** Waits for every event in flight, then checks the survivors run and are READY. */
  private static final AtomicInteger ready = new AtomicInteger();

  private static void settle(
      LocalProcessNodeProvider provider,
      ClusterWatcher registry,
      List<CompletableFuture<?>> inFlight,
      List<String> up)
      throws Exception {
    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    List<Object> outcomes = inFlight.stream().map(f -> (Object) f.join()).toList();
    inFlight.clear();
    assertThat(provider.nodes())
        .as("nodes after %s", outcomes)
        .extracting(ProvidedNode::nodeId)
        .containsExactlyInAnyOrderElementsOf(up);
    assertThat(provider.nodes())
        .allSatisfy(n -> assertThat(n.status()).isEqualTo(ProvidedNode.Status.RUNNING));
    ready.addAndGet(up.size());
    assertThat(provider.pids().values()).allMatch(LocalProcessNodeProviderTest::alive);
    assertThat(provider.health().healthy()).as("health %s", provider.health()).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (String id : up) {
                assertThat(registry.view().node(id)).as(id).isNotNull();
                assertThat(registry.view().node(id).state()).isEqualTo(NodeState.READY);
              }
            });
  }

  private static List<ProcessHandle> workerDescendants() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().orElse("").contains(LocalWorkerMain.class.getName()))
        .toList();
  }
}
