package io.tideflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.flow.Routing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FlowFileTest {
  private static final Path EXAMPLE = Path.of("..", "examples", "flows", "clicks.yaml");

  @Test
  void theExampleFlowIsReadWithItsRatesAndPlannedAcrossTwoNodes() throws Exception {
    FlowFile.Parsed parsed = FlowFile.parse(Files.readString(EXAMPLE));
    assertThat(parsed.flow().name()).isEqualTo("clicks");
    assertThat(parsed.flow().instanceCount()).isEqualTo(9);
    assertThat(parsed.flow().process("count").demand().memoryBytes()).isEqualTo(1L << 30);
    // A process that names no memory asks for none: it is placed by its cpu alone.
    assertThat(parsed.flow().process("parse").demand().memoryBytes()).isZero();
    assertThat(parsed.flow().connections().get(1).routing()).isEqualTo(Routing.KEYED);
    assertThat(parsed.rates()).hasSize(3).containsValue(200_000.0);

    Run run = plan("--nodes", "2");
    String plan = run.out();
    assertThat(run.code()).as(plan).isZero();
    assertThat(plan)
        .contains("flow clicks: 4 processes, 9 instances, 3 connections")
        .contains("node 0: ")
        .contains("node 1: ")
        .contains("crossing nodes: ");
    // Each source instance runs beside the parse instance it forwards 100,000 messages/s to.
    for (String line : plan.lines().filter(l -> l.startsWith("node ")).toList()) {
      assertThat(line.contains("source#0")).isEqualTo(line.contains("parse#0"));
      assertThat(line.contains("source#1")).isEqualTo(line.contains("parse#1"));
    }
  }

  /** What a command printed, and its exit code. */
  private record Run(int code, String out, String err) {}

  /** {@code tideflow flow plan} of the example with {@code args}. */
  private static Run plan(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "flow";
    all[1] = "plan";
    all[2] = EXAMPLE.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = TideflowCommand.commandLine().setErr(new PrintWriter(err, true)).execute(all);
    } finally {
      System.setOut(stdout);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
  }

  @Test
  void aPlanHoldsEveryNodeToTheMemoryItIsGivenOrSaysWhyItCannot() {
    // The flow asks 4.5Gi in all: 4 counts of 1Gi, 2 sources of 256Mi.
    Run fits = plan("--nodes", "2", "--memory", "3Gi");
    assertThat(fits.code()).as(fits.err()).isZero();
    List<String> nodes = fits.out().lines().filter(l -> l.startsWith("node ")).toList();
    assertThat(nodes).hasSize(2);
    for (String line : nodes) {
      Matcher m = Pattern.compile("millicores, (\\d+)(Mi|Gi) memory").matcher(line);
      assertThat(m.find()).as(line).isTrue();
      long mib = Long.parseLong(m.group(1)) * (m.group(2).equals("Gi") ? 1024 : 1);
      assertThat(mib).as(line).isLessThanOrEqualTo(3 * 1024);
    }

    Run refused = plan("--nodes", "2", "--memory", "2Gi");
    assertThat(refused.code()).isNotZero();
    assertThat(refused.err()).contains("memory");
  }

  @Test
  void theBuiltinPipelineExampleCarriesItsProcessesProperties() throws Exception {
    FlowFile.Parsed parsed =
        FlowFile.parse(Files.readString(EXAMPLE.resolveSibling("pipeline.yaml")));
    assertThat(parsed.flow().process("source").properties()).containsEntry("count", "1000000");
    assertThat(parsed.flow().process("work").properties()).containsEntry("nanos", "20000");
    assertThatThrownBy(
            () ->
                FlowFile.parse(
                    "name: f\nprocesses:\n  - {name: a, type: t, outputs: [o], properties: [1]}\n"))
        .hasMessageContaining("process a: properties must be a mapping");
  }

  @Test
  void aFlowMayBoundTheParallelismItsProcessesAreScaledTo() {
    String flow = "name: f\n%sprocesses:\n  - {name: a, type: t, outputs: [o]}\n";
    assertThat(FlowFile.parse(flow.formatted("")).maxParallelism()).isZero();
    assertThat(FlowFile.parse(flow.formatted("maxParallelism: 8\n")).maxParallelism()).isEqualTo(8);
    assertThatThrownBy(() -> FlowFile.parse(flow.formatted("maxParallelism: 5000\n")))
        .hasMessageContaining("the flow: maxParallelism must be in [0, 1024], was 5000");
  }

  @Test
  void aConnectionsByteBoundIsReadWithUnitsAndChecked() {
    String flow =
        "name: f\nprocesses:\n  - {name: a, type: t, outputs: [o]}\n"
            + "  - {name: b, type: t, inputs: [i]}\n"
            + "connections:\n  - {from: a.o, to: b.i, maxBytes: %s}\n";
    assertThat(FlowFile.parse(flow.formatted("512Ki")).flow().connections().get(0).maxBytes())
        .isEqualTo(512 * 1024);
    assertThat(
            FlowFile.parse(flow.replace(", maxBytes: %s", ""))
                .flow()
                .connections()
                .get(0)
                .maxBytes())
        .isEqualTo(io.tideflow.core.flow.Connection.DEFAULT_MAX_BYTES);
    assertThatThrownBy(() -> FlowFile.parse(flow.formatted("12")))
        .hasMessageContaining(
            "connection a.o -> b.i: maxBytes must be in [1024, 1073741824], was 12");
    assertThatThrownBy(() -> FlowFile.parse(flow.formatted("lots")))
        .hasMessageContaining(
            "'maxBytes' must be bytes, or a whole number with Ki, Mi, Gi or Ti, was 'lots'");
  }

  @Test
  void aFlowFileThatIsWrongIsRefusedNamingWhatIsWrong() {
    assertThatThrownBy(() -> FlowFile.parse("name: f\nprocesses:\n  - {name: a, typo: x}\n"))
        .hasMessageContaining("a process has an unknown key 'typo'");
    assertThatThrownBy(
            () ->
                FlowFile.parse(
                    "name: f\nprocesses:\n  - {name: a, type: t, outputs: [o]}\n"
                        + "  - {name: b, type: t, inputs: [i]}\n"
                        + "connections:\n  - {from: a.o, to: b.i, routing: sideways}\n"))
        .hasMessageContaining(
            "connection a.o -> b.i: routing must be forward, round_robin, keyed or broadcast,"
                + " was 'sideways'");
    assertThatThrownBy(() -> FlowFile.parse("name: f\nname: g\n"))
        .hasMessageContaining("not YAML a flow can be read from")
        .hasMessageContaining("duplicate key name");
    assertThatThrownBy(() -> FlowFile.parse("processes: []\n"))
        .hasMessageContaining("the flow: 'name' must be a string, was missing");
    assertThatThrownBy(
            () -> FlowFile.parse("name: f\nprocesses:\n  - {name: a, type: t, parallelism: two}\n"))
        .hasMessageContaining("process a: 'parallelism' must be a whole number, was string two");
    assertThatThrownBy(() -> FlowFile.parse("- just\n- a list\n"))
        .hasMessageContaining("the flow must be a mapping");
  }

  @Test
  void aProcessMayAskForNetworkAndCustomResources() {
    String flow =
        """
        name: f
        processes:
          - {name: a, type: sequence, network: 10Mi, resources: {gpu: 2, fpga: 1}, outputs: [o]}
          - {name: b, type: discard, inputs: [i]}
        connections:
          - {from: a.o, to: b.i}
        """;
    io.tideflow.core.model.Resources a = FlowFile.parse(flow).flow().process("a").demand();
    assertThat(a.networkBytesPerSec()).isEqualTo(10L << 20);
    assertThat(a.custom()).containsEntry("gpu", 2L).containsEntry("fpga", 1L);
    assertThat(FlowFile.parse(flow).flow().process("b").demand().custom()).isEmpty();
    assertThatThrownBy(() -> FlowFile.parse(flow.replace("gpu: 2", "gpu: 0")))
        .hasMessageContaining("process a: resource gpu must be a whole number >= 1, was 0");
    assertThatThrownBy(() -> FlowFile.parse(flow.replace("gpu: 2", "memory: 2")))
        .hasMessageContaining("a custom resource needs a name other than cpu, memory or network");
    assertThatThrownBy(() -> FlowFile.parse(flow.replace("network: 10Mi", "network: -3")))
        .hasMessageContaining("process a: 'network' must be bytes");
  }
}
