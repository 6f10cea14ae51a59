package io.tideflow.runtime.provider;

import static io.tideflow.runtime.provider.InProcessNodeProviderTest.SMALL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.retry.Backoff;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.store.ManualClock;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MultiProviderTest {
  private final MemoryClusterStore store = new MemoryClusterStore();
  private final FailingProvider cloud = new FailingProvider("cloud");
  private final InProcessNodeProvider local =
      new InProcessNodeProvider(store, TaskHandlers.builtins(), new SimpleMeterRegistry());
  private final ManualClock clock = new ManualClock();
  private final MultiProvider multi =
      new MultiProvider(List.of(cloud, local), 2, Duration.ofSeconds(30), clock);
  private final ClusterWatcher registry = ClusterWatcher.start(store, Duration.ofSeconds(5));

  @AfterEach
  void close() {
    registry.close();
    multi.close();
    store.close();
  }

  @Test
  void whatTheFirstProviderFailsToLaunchGoesToTheNext() throws Exception {
    LaunchResult result = multi.launch(SMALL, 2, "r1").get(10, TimeUnit.SECONDS);

    assertThat(result.ok()).as("errors %s", result.errors()).isTrue();
    assertThat(result.started()).containsExactlyInAnyOrder("small-1", "small-2");
    assertThat(cloud.launches).hasValue(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().nodes().size() == 2);
  }

  @Test
  void afterRepeatedFailuresTheFirstProviderIsReportedUnhealthyAndSkipped() throws Exception {
    multi.launch(SMALL, 1, "r1").get(10, TimeUnit.SECONDS);
    multi.launch(SMALL, 1, "r2").get(10, TimeUnit.SECONDS);

    assertThat(multi.healths().get("cloud").healthy()).isFalse();
    assertThat(multi.healths().get("cloud").consecutiveFailures()).isEqualTo(2);
    assertThat(multi.healths().get("in-process").healthy()).isTrue();
    assertThat(multi.health().healthy()).as("one provider still works").isTrue();

    LaunchResult third = multi.launch(SMALL, 1, "r3").get(10, TimeUnit.SECONDS);
    assertThat(third.ok()).isTrue();
    assertThat(cloud.launches).as("skipped while unhealthy").hasValue(2);
  }

  @Test
  void anUnhealthyProviderIsTriedAgainOnceItsRetryIntervalHasPassed() throws Exception {
    multi.launch(SMALL, 1, "r1").get(10, TimeUnit.SECONDS);
    multi.launch(SMALL, 1, "r2").get(10, TimeUnit.SECONDS);
    clock.advance(Duration.ofSeconds(29));
    multi.launch(SMALL, 1, "r3").get(10, TimeUnit.SECONDS);
    assertThat(cloud.launches).hasValue(2);

    clock.advance(Duration.ofSeconds(1));
    LaunchResult probed = multi.launch(SMALL, 1, "r4").get(10, TimeUnit.SECONDS);

    assertThat(cloud.launches).as("probed after 30 s").hasValue(3);
    assertThat(probed.ok()).as("the next provider still covers the probe").isTrue();
  }

  @Test
  void terminateRoutesEachIdToTheProviderThatStartedIt() throws Exception {
    LaunchResult result = multi.launch(SMALL, 2, "r1").get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().nodes().size() == 2);

    multi.terminate(List.of(result.started().get(0)), "t1").get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(5)).until(() -> registry.view().nodes().size() == 1);
    assertThat(multi.nodes())
        .extracting(ProvidedNode::nodeId)
        .containsExactly(result.started().get(1));
  }

  @Test
  void whenNoProviderCanLaunchTheResultCarriesEveryError() throws Exception {
    FailingProvider other = new FailingProvider("other");
    try (MultiProvider bothFailing = new MultiProvider(List.of(cloud, other), 1)) {
      LaunchResult result = bothFailing.launch(SMALL, 1, "r1").get(10, TimeUnit.SECONDS);

      assertThat(result.started()).isEmpty();
      assertThat(result.errors()).hasSize(2);
      assertThat(result.errors().get(0)).startsWith("cloud: ");
      assertThat(result.errors().get(1)).startsWith("other: ");
      assertThat(bothFailing.health().healthy()).isFalse();
    }
  }

  @Test
  void repeatingARequestIdLaunchesNothingMore() throws Exception {
    LaunchResult first = multi.launch(SMALL, 1, "same").get(10, TimeUnit.SECONDS);

    LaunchResult again = multi.launch(SMALL, 1, "same").get(10, TimeUnit.SECONDS);

    assertThat(again).isEqualTo(first);
    assertThat(multi.nodes()).hasSize(1);
  }

  @Test
  void eachFailedRetryDoublesTheWaitBeforeTheNextUpToTheCap() throws Exception {
    try (MultiProvider backingOff =
        new MultiProvider(
            List.of(cloud, local),
            2,
            Backoff.exponential(Duration.ofSeconds(30), Duration.ofMinutes(2)),
            clock)) {
      launch(backingOff, "r1");
      launch(backingOff, "r2");
      assertThat(backingOff.healths().get("cloud").healthy()).isFalse();

      int round = 0;
      for (Duration wait :
          List.of(
              Duration.ofSeconds(30),
              Duration.ofSeconds(60),
              Duration.ofMinutes(2),
              Duration.ofMinutes(2))) {
        int before = cloud.launches.get();
        clock.advance(wait.minusMillis(1));
        launch(backingOff, "early-" + round);
        assertThat(cloud.launches).as("skipped just before %s", wait).hasValue(before);

        clock.advance(Duration.ofMillis(1));
        LaunchResult probe = launch(backingOff, "probe-" + round++);

        assertThat(cloud.launches).as("retried after %s", wait).hasValue(before + 1);
        assertThat(probe.ok()).as("the next provider covers the failed retry").isTrue();
      }
    }
  }

  @Test
  void aSuccessfulLaunchResetsTheBackOffToItsFirstDelay() throws Exception {
    try (MultiProvider backingOff =
        new MultiProvider(
            List.of(cloud, local),
            2,
            Backoff.exponential(Duration.ofSeconds(30), Duration.ofMinutes(5)),
            clock)) {
      launch(backingOff, "r1");
      launch(backingOff, "r2");
      clock.advance(Duration.ofSeconds(30));
      launch(backingOff, "failed-retry"); // the next wait would be 60 s
      cloud.recovered(true);
      clock.advance(Duration.ofSeconds(60));
      LaunchResult recovered = launch(backingOff, "good-retry");
      assertThat(recovered.started()).allMatch(id -> id.startsWith("cloud-"));
      assertThat(backingOff.healths().get("cloud").healthy()).isTrue();

      cloud.recovered(false);
      launch(backingOff, "r3");
      launch(backingOff, "r4");
      int failures = cloud.launches.get();
      clock.advance(Duration.ofSeconds(29));
      launch(backingOff, "early");
      assertThat(cloud.launches).as("skipped").hasValue(failures);
      clock.advance(Duration.ofSeconds(1));
      launch(backingOff, "probe");

      assertThat(cloud.launches).as("retried 30 s after, as the first time").hasValue(failures + 1);
    }
  }

  @Test
  void aZeroRetryIntervalTriesAnUnhealthyProviderOnEveryLaunch() throws Exception {
    try (MultiProvider eager = new MultiProvider(List.of(cloud, local), 1, Duration.ZERO, clock)) {
      launch(eager, "r1");
      launch(eager, "r2");

      assertThat(eager.healths().get("cloud").healthy()).isFalse();
      assertThat(cloud.launches).hasValue(2);
    }
  }

  @Test
  void byDefaultAnUnhealthyProviderIsRetriedAfter30SecondsDoublingToFiveMinutes() {
    assertThat(MultiProvider.DEFAULT_RETRY.delay(1)).isEqualTo(Duration.ofSeconds(30));
    assertThat(MultiProvider.DEFAULT_RETRY.delay(2)).isEqualTo(Duration.ofMinutes(1));
    assertThat(MultiProvider.DEFAULT_RETRY.delay(5)).isEqualTo(Duration.ofMinutes(5));
    assertThat(MultiProvider.DEFAULT_RETRY.delay(50)).isEqualTo(Duration.ofMinutes(5));
  }

  private static LaunchResult launch(MultiProvider provider, String requestId) throws Exception {
    return provider.launch(SMALL, 1, requestId).get(10, TimeUnit.SECONDS);
  }
}
