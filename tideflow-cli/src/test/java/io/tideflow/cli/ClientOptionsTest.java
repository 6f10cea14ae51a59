package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.balance.BoundedLoadHashBalancer;
import io.tideflow.core.balance.LeastLoadedBalancer;
import io.tideflow.core.balance.PeakEwmaBalancer;
import io.tideflow.core.balance.RoundRobinBalancer;
import io.tideflow.core.placement.LeastLoadedPlacement;
import io.tideflow.core.placement.PolicyPlacement;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ClientOptionsTest {
  private static ClientOptions parse(String... args) {
    SubmitCommand submit = new SubmitCommand();
    String[] all = new String[args.length + 4];
    all[0] = "--store";
    all[1] = "etcd://127.0.0.1:2379";
    all[2] = "--handler";
    all[3] = "echo";
    System.arraycopy(args, 0, all, 4, args.length);
    new CommandLine(submit).parseArgs(all);
    return submit.picking;
  }

  @Test
  void theBalancerAndThePlacementAreChosenByName() {
    assertThat(parse().balancer()).as("the placement picks every task").isNull();
    assertThat(parse("--balancer", "least-loaded").balancer().get())
        .isInstanceOf(LeastLoadedBalancer.class);
    assertThat(parse().placement()).isInstanceOf(LeastLoadedPlacement.class);
    assertThat(parse("--balancer", "round-robin").balancer().get())
        .isInstanceOf(RoundRobinBalancer.class);
    assertThat(parse("--balancer", "peak-ewma").balancer().get())
        .isInstanceOf(PeakEwmaBalancer.class);
    assertThat(parse("--balancer", "bounded-load-hash").balancer().get())
        .isInstanceOf(BoundedLoadHashBalancer.class);
    assertThat(parse("--placement", "bin-pack").placement()).isInstanceOf(PolicyPlacement.class);
    assertThat(parse("--placement", "spread").placement()).isInstanceOf(PolicyPlacement.class);
  }

  @Test
  void anUnknownNameIsRefusedWithTheNamesTaken() {
    assertThatThrownBy(() -> parse("--balancer", "random").balancer())
        .hasMessage(
            "--balancer takes least-loaded, round-robin, peak-ewma or bounded-load-hash, was 'random'");
    assertThatThrownBy(() -> parse("--placement", "first-fit").placement())
        .hasMessage(
            "--placement takes least-loaded, spread, bin-pack or balanced, was 'first-fit'");
  }
}
