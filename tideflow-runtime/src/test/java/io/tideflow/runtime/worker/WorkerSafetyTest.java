package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.EmbeddedCluster;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskException;
import io.tideflow.runtime.task.TaskHandler;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.runtime.transport.ListenAddress;
import io.tideflow.store.ManualClock;
import io.tideflow.store.memory.MemoryClusterStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerSafetyTest {

  @Test
  void aWorkerRefusesToListenBeyondLoopback() {
    try (MemoryClusterStore store = new MemoryClusterStore()) {
      assertThatThrownBy(
              () ->
                  WorkerNode.start(
                      WorkerConfig.defaults("w").withListen(ListenAddress.of("0.0.0.0", null)),
                      store,
                      TaskHandlers.builtins(),
                      new SimpleMeterRegistry()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bind address 0.0.0.0 is not a loopback address");
    }
  }

  @Test
  void clientAndWorkerPublishTheMetricsTheirDashboardsNeed() throws Exception {
    try (EmbeddedCluster cluster = new EmbeddedCluster(TaskHandlers.builtins())) {
      cluster.startWorker("w1");
      TideflowClient client = cluster.client();
      client.submit(TaskSpec.builder("noop").build()).get(20, TimeUnit.SECONDS);
      SimpleMeterRegistry m = cluster.metrics;
      org.awaitility.Awaitility.await()
          .until(() -> m.get("tideflow.tasks.completed").counter().count() == 1.0);
      assertThat(m.get("tideflow.tasks.submitted").counter().count()).isEqualTo(1.0);
      assertThat(m.get("tideflow.tasks.failed").counter().count()).isZero();
      assertThat(m.get("tideflow.tasks.retried").counter().count()).isZero();
      assertThat(m.get("tideflow.tasks.latency").timer().count()).isEqualTo(1);
      assertThat(m.get("tideflow.tasks.in_flight").gauge().value()).isZero();
      assertThat(m.get("tideflow.nodes").tag("state", "READY").gauge().value()).isEqualTo(1.0);
      assertThat(
              m.get("tideflow.worker.tasks.completed").tag("node", "w1").functionCounter().count())
          .isEqualTo(1.0);
    }
  }

  @Test
  void aHungHandlerTimesOutOnTheWorkerAndGivesItsCreditBack() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger interruptsIgnored = new AtomicInteger();
    CountDownLatch bothRunning = new CountDownLatch(2);
    TaskHandlers handlers =
        TaskHandlers.builtins()
            // Ignores interrupts: only the test's latch lets it go.
            .with("stubborn", started(bothRunning, stubborn(release, interruptsIgnored)))
            // Honours interrupts: ends as soon as it is timed out (the built-in sleep, for a
            // minute).
            .with(
                "polite",
                started(
                    bothRunning,
                    p ->
                        TaskHandlers.builtins()
                            .get("sleep")
                            .run("60000".getBytes(StandardCharsets.US_ASCII))));
    ManualClock clock = new ManualClock();
    try (EmbeddedCluster cluster = new EmbeddedCluster(handlers)) {
      // Two credits per stream and two slots: two hung tasks would stall it for good.
      cluster.startWorker(
          "w1", c -> c.withStreamCredits(2).withMaxConcurrentTasks(2).withClock(clock));
      TideflowClient client = cluster.client();
      // Long enough that only the worker's clock, moved by the test, can time them out.
      Duration timeout = Duration.ofMinutes(10);
      var stubborn = client.submit(TaskSpec.builder("stubborn").timeout(timeout).build());
      var polite = client.submit(TaskSpec.builder("polite").timeout(timeout).build());
      assertThat(bothRunning.await(10, TimeUnit.SECONDS)).isTrue();
      SimpleMeterRegistry m = cluster.metrics;
      assertThat(
              m.get("tideflow.worker.tasks.timed_out").tag("node", "w1").functionCounter().count())
          .isZero();

      clock.advance(timeout.plusMillis(1));

      for (var f : List.of(stubborn, polite)) {
        assertThat(f)
            .failsWithin(Duration.ofSeconds(10))
            .withThrowableOfType(ExecutionException.class)
            .havingCause()
            .isInstanceOfSatisfying(
                TaskException.class,
                e -> assertThat(e.kind()).isEqualTo(TaskException.Kind.TIMED_OUT));
      }
      org.awaitility.Awaitility.await()
          .until(
              () ->
                  m.get("tideflow.worker.tasks.timed_out")
                          .tag("node", "w1")
                          .functionCounter()
                          .count()
                      == 2.0);
      // The polite handler was interrupted and gave its slot back; the stubborn one holds its own.
      org.awaitility.Awaitility.await()
          .until(
              () ->
                  m.get("tideflow.worker.tasks.overdue").tag("node", "w1").gauge().value() == 1.0);
      assertThat(interruptsIgnored.get()).isEqualTo(1);

      // Both credits came back: more tasks run, on the one free slot.
      for (int i = 0; i < 5; i++) {
        assertThat(
                client
                    .submit(TaskSpec.builder("echo").payload(new byte[] {(byte) i}).build())
                    .get(10, TimeUnit.SECONDS)
                    .output())
            .containsExactly((byte) i);
      }
      release.countDown();
      org.awaitility.Awaitility.await()
          .until(
              () ->
                  m.get("tideflow.worker.tasks.overdue").tag("node", "w1").gauge().value() == 0.0);
    }
  }

  @Test
  void tasksQueuedBehindAStuckSlotTimeOutThereAndGiveTheirCreditsBack() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch stuckRunning = new CountDownLatch(1);
    TaskHandlers handlers =
        TaskHandlers.builtins()
            .with("stubborn", started(stuckRunning, stubborn(release, new AtomicInteger())));
    ManualClock clock = new ManualClock();
    try (EmbeddedCluster cluster = new EmbeddedCluster(handlers)) {
      cluster.startWorker(
          "w1", c -> c.withStreamCredits(3).withMaxConcurrentTasks(1).withClock(clock));
      TideflowClient client = cluster.client();
      Duration timeout = Duration.ofMinutes(10);
      var stuck = client.submit(TaskSpec.builder("stubborn").timeout(timeout).build());
      assertThat(stuckRunning.await(10, TimeUnit.SECONDS)).isTrue();
      var queued1 = client.submit(TaskSpec.builder("echo").timeout(timeout).build());
      var queued2 = client.submit(TaskSpec.builder("echo").timeout(timeout).build());
      SimpleMeterRegistry m = cluster.metrics;
      // Both echoes wait on the worker, their deadlines taken, before the clock moves.
      org.awaitility.Awaitility.await()
          .until(
              () -> m.get("tideflow.worker.tasks.queued").tag("node", "w1").gauge().value() == 2.0);

      clock.advance(timeout.plusMillis(1));

      for (var f : List.of(stuck, queued1, queued2)) {
        assertThat(f)
            .failsWithin(Duration.ofSeconds(10))
            .withThrowableOfType(ExecutionException.class)
            .havingCause()
            .isInstanceOfSatisfying(
                TaskException.class,
                e -> assertThat(e.kind()).isEqualTo(TaskException.Kind.TIMED_OUT));
      }
      // All three answered by the worker (so their credits came back), none of the echoes ran.
      org.awaitility.Awaitility.await()
          .until(
              () ->
                  m.get("tideflow.worker.tasks.timed_out")
                          .tag("node", "w1")
                          .functionCounter()
                          .count()
                      == 3.0);
      assertThat(
              m.get("tideflow.worker.tasks.completed").tag("node", "w1").functionCounter().count())
          .as("no echo ran")
          .isZero();
      release.countDown();
      // The slot is free again and every credit is back: three tasks at once go through.
      var after =
          List.of(
              client.submit(TaskSpec.builder("echo").build()),
              client.submit(TaskSpec.builder("echo").build()),
              client.submit(TaskSpec.builder("echo").build()));
      for (var f : after) {
        assertThat(f.get(10, TimeUnit.SECONDS).nodeId()).isEqualTo("w1");
      }
    }
  }

  /** {@code handler}, counting {@code started} down when it begins. */
  private static TaskHandler started(CountDownLatch started, TaskHandler handler) {
    return p -> {
      started.countDown();
      return handler.run(p);
    };
  }

  /**
   * A handler that ignores interrupts (counting them) and returns only once {@code release} opens.
   */
  private static TaskHandler stubborn(CountDownLatch release, AtomicInteger interruptsIgnored) {
    return p -> {
      while (true) {
        try {
          if (release.await(10, TimeUnit.SECONDS)) {
            return p;
          }
        } catch (InterruptedException e) {
          interruptsIgnored.incrementAndGet();
        }
      }
    };
  }
}
