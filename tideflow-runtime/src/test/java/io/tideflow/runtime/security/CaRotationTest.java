package io.tideflow.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.worker.WorkerConfig;
import io.tideflow.runtime.worker.WorkerNode;
import io.tideflow.store.memory.MemoryClusterStore;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster moved from one CA to another under load, in the three steps of the README: every
 * process trusts both, then presents a certificate of the new one, then trusts the new one alone.
 * No task fails, new links are made at every step, and at the end a process of the old CA alone is
 * refused.
 */
class CaRotationTest {
  private static final Duration RELOAD = Duration.ofMillis(100);

  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final Map<String, ClusterTls> processes = new LinkedHashMap<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  @Test
  void aClusterMovesToANewCaUnderLoadWithoutLosingATask() throws Exception {
    Instant now = Instant.now();
    ClusterCa old = ClusterCa.create("tideflow", now, Duration.ofDays(1));
    ClusterCa next = ClusterCa.create("tideflow", now, Duration.ofDays(1));
    Map<String, Identity.Role> roles =
        Map.of("w1", Identity.Role.NODE, "w2", Identity.Role.NODE, "ops", Identity.Role.CLIENT);
    for (String name : List.of("w1", "w2", "ops")) {
      issue(old, name, roles.get(name), List.of());
      processes.put(name, keep(ClusterTls.load(TlsFiles.in(dir.resolve(name)), RELOAD)));
    }
    MemoryClusterStore store = keep(new MemoryClusterStore());
    for (String w : List.of("w1", "w2")) {
      keep(
          WorkerNode.start(
              WorkerConfig.defaults(w),
              store,
              TaskHandlers.builtins(),
              new SimpleMeterRegistry(),
              LinkSecurity.mutualTls(processes.get(w))));
    }
    LinkSecurity ops = LinkSecurity.mutualTls(processes.get("ops"));
    TideflowClient client =
        keep(
            TideflowClient.connect(store, ClientConfig.defaults(), new SimpleMeterRegistry(), ops));
    await().until(() -> client.view().size() == 2);
    Load load = new Load(client);
    Thread loader = Thread.ofPlatform().name("rotation-load").start(load);
    try {
      List<X509Certificate> both = List.of(old.certificate(), next.certificate());
      // 1. Every process trusts both CAs, still presenting the old one's certificate.
      rotate(old, roles, List.of(next.certificate()), 1, load);
      // 2. Every process presents a certificate of the new CA, trusting both.
      rotate(next, roles, both, 2, load);
      // 3. The new CA alone is trusted.
      rotate(next, roles, List.of(), 3, load);
    } finally {
      load.stop.set(true);
      loader.join(TimeUnit.SECONDS.toMillis(60));
    }
    assertThat(load.failed).hasValue(0);
    assertThat(load.completed.get()).isGreaterThan(300);

    // A process that kept the old CA's certificate and trust reaches nothing now.
    issue(old, "stale", Identity.Role.CLIENT, List.of());
    LinkSecurity stale =
        LinkSecurity.mutualTls(keep(ClusterTls.load(TlsFiles.in(dir.resolve("stale")), RELOAD)));
    for (String w : List.of("w1", "w2")) {
      assertThat(stale.probe(w, client.view().node(w).address(), Duration.ofSeconds(10)))
          .succeedsWithin(Duration.ofSeconds(20))
          .asString()
          .startsWith("refused:")
          .contains("is not trusted");
    }
  }

  /**
   * Issues every process a certificate of {@code ca} trusting {@code alsoTrusted} besides, waits
   * until each has read it, and checks that new links are made and the load goes on.
   */
  private void rotate(
      ClusterCa ca,
      Map<String, Identity.Role> roles,
      List<X509Certificate> alsoTrusted,
      int step,
      Load load)
      throws Exception {
    for (Map.Entry<String, ClusterTls> p : processes.entrySet()) {
      issue(ca, p.getKey(), roles.get(p.getKey()), alsoTrusted);
    }
    await("every process read step " + step)
        .atMost(Duration.ofSeconds(20))
        .until(() -> processes.values().stream().allMatch(t -> t.stats().reloads() >= step));
    LinkSecurity ops = LinkSecurity.mutualTls(processes.get("ops"));
    for (String w : List.of("w1", "w2")) {
      String address = load.client.view().node(w).address();
      assertThat(ops.probe(w, address, Duration.ofSeconds(10)))
          .as("a new link to %s at step %d", w, step)
          .succeedsWithin(Duration.ofSeconds(20))
          .isEqualTo("mutual TLS 1.3, X25519MLKEM768, spiffe://tideflow/node/" + w);
    }
    long before = load.completed.get();
    await("tasks complete after step " + step).until(() -> load.completed.get() > before + 100);
    assertThat(processes.values()).allMatch(t -> t.stats().reloadFailures() == 0);
  }

  private void issue(
      ClusterCa ca, String name, Identity.Role role, List<X509Certificate> alsoTrusted)
      throws Exception {
    ca.issue(role, name, List.of(), Instant.now(), Duration.ofHours(1))
        .save(dir.resolve(name), alsoTrusted);
  }

  private <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }

  /** Echo tasks, at most 32 in flight, until stopped; counts what completed and failed. */
  private static final class Load implements Runnable {
    final TideflowClient client;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong completed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    private final Semaphore inFlight = new Semaphore(32);

    Load(TideflowClient client) {
      this.client = client;
    }

    @Override
    public void run() {
      try {
        while (!stop.get()) {
          inFlight.acquire();
          client
              .submit(TaskSpec.builder("echo").payload(new byte[] {1}).build())
              .whenComplete(
                  (r, e) -> {
                    (e == null ? completed : failed).incrementAndGet();
                    inFlight.release();
                  });
        }
        inFlight.acquire(32); // the last ones answered
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
