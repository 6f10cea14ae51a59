package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigFileTest {
  @TempDir Path dir;

  private final CommandLine root = TideflowCommand.commandLine();

  private Path file(String yaml) throws Exception {
    return Files.writeString(dir.resolve("tideflow.yaml"), yaml);
  }

  private static final String CLUSTER =
      """
      coordinator:
        store: etcd://10.0.0.1:2379
        id: c1
        pool: web
        provider: IN_PROCESS
        min: 2
        max: 6
        preset: 80-20
        schedule: ["mon-fri 08:00-18:00 min=3"]
        alert-webhook: [http://127.0.0.1:9/a, http://127.0.0.1:9/b]
        no-builtin-alerts: false
      worker:
        store: etcd://10.0.0.1:2379
      """;

  @Test
  void theFileSetsWhatTheEnvironmentAndTheCommandLineLeaveOpen() throws Exception {
    Path f = file(CLUSTER);
    String[] args =
        ConfigFile.expand(
            new String[] {"coordinator", "--config", f.toString(), "--max", "9"},
            Map.of("TIDEFLOW_ID", "c7"),
            root);
    List<String> list = List.of(args);
    assertThat(list.getFirst()).isEqualTo("coordinator");
    assertThat(list)
        .contains("--store=etcd://10.0.0.1:2379", "--pool=web", "--min=2", "--preset=80-20")
        .contains("--alert-webhook=http://127.0.0.1:9/a", "--alert-webhook=http://127.0.0.1:9/b")
        .contains("--id=c7")
        .doesNotContain("--id=c1", "--max=6", "--no-builtin-alerts")
        .endsWith("--max", "9");

    CommandLine fresh =
        ConfigFile.parsed("coordinator", java.util.Arrays.copyOfRange(args, 1, args.length));
    CoordinatorCommand c = fresh.getCommand();
    var spec = c.pool.spec();
    assertThat(spec.limits().max()).isEqualTo(9);
    assertThat(spec.policies())
        .contains(io.tideflow.runtime.pool.PolicySpec.Threshold.eightyTwenty());
    assertThat(c.id).isEqualTo("c7");
  }

  @Test
  void withoutAFileTheEnvironmentStillApplies() {
    String[] args =
        ConfigFile.expand(
            new String[] {"status"}, Map.of("TIDEFLOW_STORE", "etcd://10.0.0.2:2379"), root);
    assertThat(args).containsExactly("status", "--store=etcd://10.0.0.2:2379");
  }

  @Test
  void unknownKeysAndBadValuesAreRefusedWithTheirPathAndReason() throws Exception {
    assertThatThrownBy(() -> ConfigFile.read(file("coordinator:\n  mx: 5\n"), root))
        .hasMessageEndingWith("tideflow.yaml: coordinator.mx: unknown key (did you mean max?)");
    assertThatThrownBy(() -> ConfigFile.read(file("coordinatr:\n  max: 5\n"), root))
        .hasMessageContaining("coordinatr: not a command (sections: ");
    assertThatThrownBy(() -> ConfigFile.read(file("coordinator:\n  max: eight\n"), root))
        .hasMessageContaining(
            "coordinator.max: Invalid value for option '--max': 'eight' is not an int");
    assertThatThrownBy(() -> ConfigFile.read(file("coordinator:\n  max: [1, 2]\n"), root))
        .hasMessageContaining("coordinator.max: takes one value, was a list");
    assertThatThrownBy(
            () -> ConfigFile.read(file("coordinator:\n  no-builtin-alerts: yes please\n"), root))
        .hasMessageContaining("coordinator.no-builtin-alerts: is a flag: true or false");
    assertThatThrownBy(() -> ConfigFile.read(file("coordinator:\n  lease-ttl: soon\n"), root))
        .hasMessageContaining("coordinator.lease-ttl: ")
        .hasMessageContaining("'soon' is not a duration");
    assertThatThrownBy(() -> ConfigFile.read(file("coordinator: [1]\n"), root))
        .hasMessageContaining("coordinator must be a map of options");
  }

  @Test
  void configCheckReadsThePoolAndTheAlertRulesAsTheCoordinatorWould() throws Exception {
    Path good = file(CLUSTER);
    CommandLineTest.Run ok = CommandLineTest.run("config", "check", good.toString());
    assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out())
        .contains(
            "coordinator: 10 setting(s); pool web 2..6 nodes, policies PendingDemand, Threshold; 5 alert rule(s)")
        .contains("worker: 1 setting(s)")
        .contains("OK: " + good);

    Path bad =
        Files.writeString(
            dir.resolve("bad.yaml"), "coordinator:\n  pool: web\n  threshold: [disk=0.9]\n");
    CommandLineTest.Run refused = CommandLineTest.run("config", "check", bad.toString());
    assertThat(refused.exit()).isEqualTo(ExitCodes.USAGE);

    CommandLineTest.Run viaMain =
        CommandLineTest.runExpanded(
            Map.of(), "coordinator", "--config", dir.resolve("missing.yaml").toString());
    assertThat(viaMain.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(viaMain.err()).contains("cannot read the config file");
  }
}
