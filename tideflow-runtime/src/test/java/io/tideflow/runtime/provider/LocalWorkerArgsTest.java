package io.tideflow.runtime.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.model.Resources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line a pool's worker JVM is started with, and what it reads from it. */
class LocalWorkerArgsTest {
  private static final String[] BASE = {
    "--store", "etcd://127.0.0.1:2379", "--id", "w1", "--cpu-millis", "2000"
  };

  private static LocalWorkerMain.Args parse(String... more) {
    String[] all = new String[BASE.length + more.length];
    System.arraycopy(BASE, 0, all, 0, BASE.length);
    System.arraycopy(more, 0, all, BASE.length, more.length);
    return LocalWorkerMain.Args.parse(all);
  }

  @Test
  void aPoolWorkerOffersEveryResourceOfItsTemplate() {
    Resources capacity = new Resources(1500, 2L << 30, 125L << 20, Map.of("gpu", 2L, "fpga", 1L));
    NodeTemplate template =
        new NodeTemplate("gpu", capacity, Map.of("tier", "gpu"), Duration.ofSeconds(2));
    List<String> command =
        new LocalProcessNodeProvider("etcd://127.0.0.1:2379").command(template, "w7", false, null);

    // The provider's command, from its main class on, is what the worker reads.
    int main = command.indexOf(LocalWorkerMain.class.getName());
    LocalWorkerMain.Args args =
        LocalWorkerMain.Args.parse(
            command.subList(main + 1, command.size()).toArray(String[]::new));

    assertThat(args.capacity()).isEqualTo(capacity);
    assertThat(args.labels()).containsEntry("tier", "gpu");
  }

  @Test
  void withoutNetworkOrResourcesItOffersNone() {
    Resources capacity = parse("--memory-bytes", "1024").capacity();
    assertThat(capacity).isEqualTo(Resources.of(2000, 1024));
  }

  @Test
  void aBadResourceIsRefusedNamingIt() {
    assertThatThrownBy(() -> parse("--resource", "gpu"))
        .hasMessageContaining("--resource must be NAME=AMOUNT, was 'gpu'");
    assertThatThrownBy(() -> parse("--resource", "gpu=many"))
        .hasMessageContaining("--resource must be a number, was 'many'");
    assertThatThrownBy(() -> parse("--network-bytes", "-1"))
        .hasMessageContaining("--network-bytes must be >= 0");
  }
}
