package io.tideflow.runtime.provider;

import static io.tideflow.runtime.provider.LocalProcessNodeProviderTest.CHILD;
import static io.tideflow.runtime.provider.LocalProcessNodeProviderTest.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideflow.store.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local-process provider's ready timeout and stop grace, driven exactly by a manual clock. The
 * children are small shell scripts in place of the java launcher, so how they behave (never ready,
 * deaf to SIGTERM) is certain and no etcd is needed.
 */
class LocalProcessDeadlinesTest {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();
  private LocalProcessNodeProvider provider;

  @AfterEach
  void closeProvider() {
    if (provider != null) {
      provider.close();
    }
  }

  @Test
  void aWorkerNotReadyWhenTheClockPassesItsReadyTimeoutIsKilledAndReportedWithItsLog()
      throws Exception {
    provider =
        new LocalProcessNodeProvider(
            config(script("never-ready", "echo 'starting, and never ready'", "exec sleep 600")),
            clock);

    CompletableFuture<LaunchResult> launch = provider.launch(CHILD, 1, "r1");
    await()
        .atMost(WAIT)
        .until(() -> provider.pendingDeadlines() == 1 && logOf("child-1").contains("never ready"));
    long pid = provider.pids().get("child-1");

    clock.advance(READY_TIMEOUT);
    provider.checkDeadlines();
    assertThat(launch).as("exactly at its ready timeout it still has time").isNotDone();

    clock.advance(Duration.ofMillis(1));
    provider.checkDeadlines();

    LaunchResult result = launch.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(result.started()).isEmpty();
    assertThat(result.errors())
        .singleElement()
        .asString()
        .contains("child-1 did not print READY within PT1M")
        .contains("log tail")
        .contains("starting, and never ready");
    assertThat(provider.pids()).isEmpty();
    await().atMost(WAIT).until(() -> !alive(pid));
  }

  @Test
  void aWorkerThatIgnoresSigtermIsKilledOnceTheClockPassesTheStopGrace() throws Exception {
    provider =
        new LocalProcessNodeProvider(
            config(script("deaf", "trap '' TERM", "echo 'READY 127.0.0.1:1'", "exec sleep 600")),
            clock);
    LaunchResult launched = provider.launch(CHILD, 1, "r1").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(launched.ok()).as("errors %s", launched.errors()).isTrue();
    long pid = provider.pids().get("child-1");

    CompletableFuture<Void> terminated = provider.terminate(List.of("child-1"), "t1");
    clock.advance(STOP_GRACE);
    provider.checkDeadlines();
    assertThat(alive(pid)).as("SIGTERM is ignored and the grace not yet over").isTrue();
    assertThat(terminated).isNotDone();

    clock.advance(Duration.ofMillis(1));
    provider.checkDeadlines();

    assertThat(terminated).succeedsWithin(WAIT);
    assertThat(alive(pid)).isFalse();
    assertThat(provider.nodes()).isEmpty();
  }

  private LocalProcessConfig config(Path javaCommand) {
    // The store is never dialled: the scripts ignore their arguments.
    return new LocalProcessConfig(
        "etcd://127.0.0.1:1",
        javaCommand.toString(),
        "unused",
        List.of(),
        READY_TIMEOUT,
        STOP_GRACE);
  }

  private Path script(String name, String... lines) throws IOException {
    Path script = dir.resolve(name);
    Files.writeString(
        script, "#!/bin/sh\n" + String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  private String logOf(String nodeId) throws IOException {
    Path log = provider.logDir().resolve(nodeId + ".log");
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }
}
