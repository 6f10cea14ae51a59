package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.runtime.autoscale.PoolAutoscaler;
import io.tideflow.runtime.pool.PolicySpec;
import io.tideflow.runtime.pool.PoolSpec;
import io.tideflow.runtime.pool.ProviderKind;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PoolOptionsTest {

  private static PoolOptions parse(String... args) {
    CoordinatorCommand command = new CoordinatorCommand();
    String[] withStore =
        Stream.concat(Stream.of("--store", "etcd://127.0.0.1:2379"), Arrays.stream(args))
            .toArray(String[]::new);
    new CommandLine(command).parseArgs(withStore);
    return command.pool;
  }

  @Test
  void poolFlagsBecomeAPoolSpec() {
    PoolSpec spec =
        parse(
                "--pool",
                "web",
                "--provider",
                "LOCAL_PROCESS,IN_PROCESS",
                "--min",
                "2",
                "--max",
                "5",
                "--node-cpu",
                "1500",
                "--node-memory-mib",
                "512",
                "--target-concurrency",
                "6",
                "--scale-down-window",
                "30s",
                "--interval",
                "500ms",
                "--drain-timeout",
                "7s",
                "--warm",
                "1",
                "--node-lease-ttl",
                "3s")
            .spec();
    assertThat(spec.name()).isEqualTo("web");
    assertThat(spec.providers())
        .containsExactly(ProviderKind.LOCAL_PROCESS, ProviderKind.IN_PROCESS);
    assertThat(spec.limits().min()).isEqualTo(2);
    assertThat(spec.limits().max()).isEqualTo(5);
    assertThat(spec.template().capacity().cpuMillis()).isEqualTo(1500);
    assertThat(spec.template().capacity().memoryBytes()).isEqualTo(512L << 20);
    assertThat(spec.template().leaseTtl()).isEqualTo(Duration.ofSeconds(3));
    assertThat(spec.interval()).isEqualTo(Duration.ofMillis(500));
    assertThat(spec.drainTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(spec.warm()).isEqualTo(1);
    assertThat(spec.policies()).hasSize(2).first().isInstanceOf(PolicySpec.PendingDemand.class);
    assertThat(spec.policies().getLast())
        .isInstanceOfSatisfying(
            PolicySpec.TargetTracking.class,
            t -> {
              assertThat(t.target()).isEqualTo(6);
              assertThat(t.behavior().scaleDown().stabilizationWindow())
                  .isEqualTo(Duration.ofSeconds(30));
            });
  }

  @Test
  void aScaleDownWindowLongerThanTenMinutesWidensWhatThePoolRemembers() {
    PoolSpec spec = parse("--pool", "web", "--scale-down-window", "30m").spec();
    assertThat(spec.window()).isEqualTo(Duration.ofMinutes(30));
    assertThat(parse("--pool", "web", "--scale-down-window", "1m").spec().window())
        .isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void aZeroTargetFollowsOnlyWaitingWorkOnLocalProcessesByDefault() {
    PoolSpec spec = parse("--pool", "batch", "--target-concurrency", "0").spec();
    assertThat(spec.policies()).containsExactly(new PolicySpec.PendingDemand());
    assertThat(spec.providers()).containsExactly(ProviderKind.LOCAL_PROCESS);
  }

  @Test
  void aForecastAddsAPredictivePolicyAtTheTargetConcurrency() {
    PoolSpec spec =
        parse("--pool", "web", "--forecast", "seasonal-naive", "--forecast-lead", "3m").spec();
    assertThat(spec.policies())
        .contains(
            new PolicySpec.Predictive(
                PoolAutoscaler.CONCURRENCY, 8, Duration.ofMinutes(3), "seasonal-naive"));
    assertThatThrownBy(() -> parse("--pool", "web", "--forecast", "prophet").spec())
        .hasMessage("--forecast: forecaster must be seasonal-naive or holt-winters, was 'prophet'");
    assertThatThrownBy(
            () ->
                parse("--pool", "web", "--forecast", "holt-winters", "--target-concurrency", "0")
                    .spec())
        .hasMessage("--forecast sizes the pool at --target-concurrency: give one > 0");
  }

  @Test
  void badPoolFlagsAreNamedInTheError() {
    assertThatThrownBy(() -> parse("--pool", "web", "--min", "3", "--max", "2").spec())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--min must be >= 0 and --max >= max(1, --min), were 3 and 2");
    assertThatThrownBy(() -> parse("--pool", "web", "--warm", "-1").spec())
        .hasMessageContaining("--target-concurrency and --warm must be >= 0");
  }

  @Test
  void theSeedsThresholdRuleIsAPresetAndThresholdsReplaceTargetTracking() {
    PoolSpec preset = parse("--pool", "web", "--preset", "80-20").spec();
    assertThat(preset.policies())
        .containsExactly(new PolicySpec.PendingDemand(), PolicySpec.Threshold.eightyTwenty());
    PolicySpec.Threshold t = PolicySpec.Threshold.eightyTwenty();
    assertThat(t.high()).containsEntry("cpu", 0.8);
    assertThat(t.low()).containsEntry("cpu", 0.2);

    PoolSpec both =
        parse(
                "--pool",
                "web",
                "--threshold",
                "cpu=0.8",
                "--threshold",
                "memory=0.9:0.3",
                "--threshold-span",
                "30s",
                "--threshold-step",
                "2",
                "--target-concurrency",
                "4")
            .spec();
    assertThat(both.policies()).hasSize(3);
    PolicySpec.Threshold any = (PolicySpec.Threshold) both.policies().get(1);
    assertThat(any.high()).containsEntry("cpu", 0.8).containsEntry("memory", 0.9);
    assertThat(any.low()).containsEntry("memory", 0.3).doesNotContainKey("cpu");
    assertThat(any.span()).isEqualTo(Duration.ofSeconds(30));
    assertThat(any.step()).isEqualTo(2);
    assertThat(both.policies().get(2)).isInstanceOf(PolicySpec.TargetTracking.class);
  }

  @Test
  void badThresholdsAndSchedulesAreRefusedByTheirOption() {
    assertThatThrownBy(() -> parse("--pool", "web", "--threshold", "disk=0.8").spec())
        .hasMessageContaining(
            "--threshold takes cpu=, memory= or network=HIGH[:LOW], was 'disk=0.8'");
    assertThatThrownBy(() -> parse("--pool", "web", "--threshold", "cpu=80").spec())
        .hasMessageContaining("HIGH is a share in (0, 1]");
    assertThatThrownBy(() -> parse("--pool", "web", "--threshold", "cpu=0.5:0.7").spec())
        .hasMessageContaining("--threshold: low[cpu] must be in [0, 0.5), was 0.7");
    assertThatThrownBy(() -> parse("--pool", "web", "--threshold", "network=0.8").spec())
        .hasMessageContaining("--threshold network needs the nodes' network capacity");
    assertThat(
            parse("--pool", "web", "--threshold", "network=0.8", "--node-network", "125Mi")
                .spec()
                .template()
                .capacity()
                .networkBytesPerSec())
        .isEqualTo(125L << 20);
    assertThatThrownBy(() -> parse("--pool", "web", "--preset", "90-10").spec())
        .hasMessageContaining("--preset knows 80-20, was '90-10'");
    assertThatThrownBy(() -> parse("--pool", "web", "--schedule", "mon-fri 8-18 min=2").spec())
        .hasMessageContaining("--schedule 'mon-fri 8-18 min=2': times are HH:MM");
    assertThatThrownBy(
            () -> parse("--pool", "web", "--schedule", "workdays 08:00-18:00 min=2").spec())
        .hasMessageContaining("'workdays' is not a day");
    assertThatThrownBy(
            () -> parse("--pool", "web", "--schedule", "daily 08:00-18:00 Mars/Base min=2").spec())
        .hasMessageContaining("--schedule 'daily 08:00-18:00 Mars/Base min=2'");
  }

  @Test
  void scheduledBoundsRaiseTheFloorInTheirWindow() {
    PoolSpec spec =
        parse(
                "--pool",
                "web",
                "--min",
                "1",
                "--max",
                "8",
                "--schedule",
                "mon-fri 08:00-18:00 Europe/Berlin min=4")
            .spec();
    var limits = spec.limits();
    // A Wednesday at 10:00 in Berlin, and the Saturday after.
    assertThat(spec.schedule().apply(limits, java.time.Instant.parse("2026-12-02T09:00:00Z")).min())
        .isEqualTo(4);
    assertThat(spec.schedule().apply(limits, java.time.Instant.parse("2026-12-05T09:00:00Z")).min())
        .isEqualTo(1);
  }
}
