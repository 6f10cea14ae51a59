package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.model.Resources;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class WorkerCapacityOptionsTest {
  private static final Resources DEFAULTS = Resources.of(2000, 1L << 30);

  private static WorkerCommand parse(String... args) {
    WorkerCommand command = new WorkerCommand();
    String[] all = new String[args.length + 2];
    all[0] = "--store";
    all[1] = "etcd://127.0.0.1:2379"; // parsed only: nothing is dialled
    System.arraycopy(args, 0, all, 2, args.length);
    new CommandLine(command).parseArgs(all);
    return command;
  }

  @Test
  void aWorkerOffersTheMemoryNetworkAndCustomResourcesItIsGiven() {
    Resources c =
        parse("--cpu", "1500", "--memory", "4Gi", "--network", "125Mi", "--resource", "gpu=2")
            .capacity(DEFAULTS);
    assertThat(c).isEqualTo(new Resources(1500, 4L << 30, 125L << 20, Map.of("gpu", 2L)));
    assertThat(parse().capacity(DEFAULTS)).isEqualTo(DEFAULTS);
  }

  @Test
  void badCapacitiesAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> parse("--memory", "lots"))
        .hasMessageContaining("--memory")
        .hasMessageContaining("must be bytes, or a whole number with Ki, Mi, Gi or Ti");
    assertThatThrownBy(() -> parse("--resource", "gpu=0").capacity(DEFAULTS))
        .hasMessageContaining("--resource gpu must be >= 1, was 0");
    assertThatThrownBy(() -> parse("--resource", "memory=4").capacity(DEFAULTS))
        .hasMessageContaining("--resource needs a name other than cpu, memory or network");
  }
}
