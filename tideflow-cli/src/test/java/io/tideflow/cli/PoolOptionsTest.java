package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void badPoolFlagsAreNamedInTheError() {
    assertThatThrownBy(() -> parse("--pool", "web", "--min", "3", "--max", "2").spec())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--min must be >= 0 and --max >= max(1, --min), were 3 and 2");
    assertThatThrownBy(() -> parse("--pool", "web", "--warm", "-1").spec())
        .hasMessageContaining("--target-concurrency and --warm must be >= 0");
  }
}
