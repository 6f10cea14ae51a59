package io.tideflow.bench.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Counts in a {@link LoadRunner} result add up, against the floor and against Hazelcast. */
@Timeout(60)
class LoadRunnerTest {

  private static final Duration WARMUP = Duration.ofMillis(200);
  private static final Duration MEASURE = Duration.ofSeconds(1);

  private static HazelcastBackend hazelcast;

  private final ByteArrayOutputStream progressBytes = new ByteArrayOutputStream();
  private final PrintStream progress = new PrintStream(progressBytes, true, StandardCharsets.UTF_8);

  @BeforeAll
  static void startHazelcast() {
    hazelcast = new HazelcastBackend(HazelcastBackend.Route.CROSS);
  }

  @AfterAll
  static void stopHazelcast() {
    if (hazelcast != null) {
      hazelcast.close();
    }
  }

  @Test
  void closedLoopOnTheFloorCompletesEverythingItSends() throws InterruptedException {
    try (DirectBackend direct = new DirectBackend()) {
      LoadResult result =
          new LoadRunner(direct, progress).closedLoop("direct", 64, WARMUP, MEASURE);

      assertCountsAddUp(result);
      assertThat(result.mode()).isEqualTo(LoadResult.Mode.CLOSED);
      assertThat(result.elapsedNanos()).isGreaterThanOrEqualTo(MEASURE.toNanos());
      assertThat(progressBytes.toString(StandardCharsets.UTF_8)).contains("[direct]", "tasks/s");
    }
  }

  @Test
  void closedLoopThroughHazelcastCompletesEverythingItSends() throws InterruptedException {
    LoadResult result =
        new LoadRunner(hazelcast, progress).closedLoop("hazelcast", 8, WARMUP, MEASURE);

    assertCountsAddUp(result);
    assertThat(result.latencyNanos(50)).isPositive();
  }

  @Test
  void openLoopThroughHazelcastKeepsItsScheduleAtALowRate() throws InterruptedException {
    double rate = 2_000;
    LoadResult result =
        new LoadRunner(hazelcast, progress).openLoop("hazelcast open", rate, 8, WARMUP, MEASURE);

    assertCountsAddUp(result);
    assertThat(result.missed()).isZero();
    assertThat(result.targetRate()).isEqualTo(rate);
    // One second on the schedule: 2,000 intended sends, give or take the one at the boundary.
    assertThat(result.submitted()).isBetween(1_999L, 2_001L);
  }

  @Test
  void openLoopCountsLatencyFromTheScheduleSoAStallShows() throws InterruptedException {
    // A backend that completes each task 20 ms after it is sent, on its own thread, with room
    // for only one task in flight: at 200/s (every 5 ms) sends fall behind the schedule, and
    // latency from the intended time grows well past the 20 ms each task takes.
    try (SlowBackend slow = new SlowBackend(Duration.ofMillis(20))) {
      LoadResult result =
          new LoadRunner(slow, progress).openLoop("slow", 200, 1, Duration.ZERO, MEASURE);

      assertCountsAddUp(result);
      assertThat(result.latencyNanos(99)).isGreaterThan(Duration.ofMillis(100).toNanos());
    }
  }

  @Test
  void aFailingBackendIsCountedNotSwallowed() throws InterruptedException {
    TaskBackend failing =
        new TaskBackend() {
          @Override
          public String name() {
            return "failing";
          }

          @Override
          public CompletableFuture<?> submitNoop() {
            return CompletableFuture.failedFuture(new IllegalStateException("refused"));
          }

          @Override
          public void close() {}
        };
    LoadResult result =
        new LoadRunner(failing, progress)
            .closedLoop("failing", 4, Duration.ZERO, Duration.ofMillis(100));

    assertThat(result.failed()).isEqualTo(result.submitted()).isPositive();
    assertThat(result.completed()).isZero();
    assertThat(result.latencies().getTotalCount()).isZero();
    assertThat(result.firstError()).contains("refused");
  }

  private static void assertCountsAddUp(LoadResult result) {
    assertThat(result.submitted()).isPositive();
    assertThat(result.failed()).as("failed tasks; first error: %s", result.firstError()).isZero();
    assertThat(result.unfinished()).isZero();
    assertThat(result.completed()).isEqualTo(result.submitted());
    assertThat(result.latencies().getTotalCount()).isEqualTo(result.completed());
  }
}
