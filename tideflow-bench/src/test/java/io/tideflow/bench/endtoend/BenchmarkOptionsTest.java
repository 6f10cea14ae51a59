package io.tideflow.bench.endtoend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The command line, the backend names and the row a forked JVM hands back. */
class BenchmarkOptionsTest {

  @Test
  void parsesTheDocumentedCommandLine() {
    BenchmarkOptions options =
        BenchmarkOptions.parse(
            "--backends",
            "hazelcast,direct",
            "--seconds",
            "10",
            "--rounds=3",
            "--window",
            "4096",
            "--out",
            "docs/benchmarks-endtoend.md");

    assertThat(options.backends()).containsExactly("hazelcast", "direct");
    assertThat(options.seconds()).isEqualTo(10);
    assertThat(options.rounds()).isEqualTo(3);
    assertThat(options.window()).isEqualTo(4096);
    assertThat(options.out()).isEqualTo(Path.of("docs/benchmarks-endtoend.md"));
    assertThat(options.fork()).isTrue();
    assertThat(options.openFraction()).isEqualTo(0.5);
  }

  @Test
  void withoutArgumentsRunsTheDefaultBackendsWithTheDocumentedDefaults() {
    BenchmarkOptions options = BenchmarkOptions.parse();

    assertThat(options.backends()).isEqualTo(BackendRegistry.defaultNames()).isNotEmpty();
    assertThat(options.seconds()).isEqualTo(10);
    assertThat(options.rounds()).isEqualTo(3);
    assertThat(options.window()).isEqualTo(4096);
    assertThat(options.warmupSeconds()).isEqualTo(10);
    assertThat(options.openFraction()).isEqualTo(0.5);
    assertThat(options.p99TargetMillis()).isEqualTo(5.0);
    assertThat(options.maxTasks()).isEqualTo(LoadRunner.DEFAULT_MAX_TASKS);
    assertThat(options.out()).isNull();
    assertThat(options.resultFile()).isNull();
    assertThat(options.fork()).isTrue();
    assertThat(options.help()).isFalse();
  }

  @Test
  void rejectsABadValueNamingTheOption() {
    assertThatThrownBy(() -> BenchmarkOptions.parse("--rounds", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--rounds must be >= 1, was 0");
    assertThatThrownBy(() -> BenchmarkOptions.parse("--seconds=ten"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--seconds")
        .hasMessageContaining("'ten'");
    assertThatThrownBy(() -> BenchmarkOptions.parse("--open-fraction", "1.5"))
        .hasMessage("--open-fraction must be in (0, 1], was 1.5");
    assertThatThrownBy(() -> BenchmarkOptions.parse("--backends", " , "))
        .hasMessage("--backends must name at least one backend");
  }

  @Test
  void rejectsAnUnknownOptionAndAMissingValue() {
    assertThatThrownBy(() -> BenchmarkOptions.parse("--fast"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'--fast'");
    assertThatThrownBy(() -> BenchmarkOptions.parse("--window"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--window");
  }

  @Test
  void aForkedJvmParsesBackTheOptionsItWasGiven() {
    BenchmarkOptions parent =
        BenchmarkOptions.parse(
            "--backends",
            "direct, hazelcast",
            "--seconds",
            "4",
            "--rounds",
            "2",
            "--window",
            "64",
            "--warmup",
            "0",
            "--open-fraction",
            "0.25",
            "--p99-target-ms",
            "2.5",
            "--max-tasks",
            "1000",
            "--out",
            "table.md");

    BenchmarkOptions child =
        BenchmarkOptions.parse(
            parent.childArgs("direct", Path.of("row.properties")).toArray(String[]::new));

    assertThat(child)
        .isEqualTo(
            new BenchmarkOptions(
                List.of("direct"),
                4,
                2,
                64,
                0,
                0.25,
                2.5,
                1000,
                null,
                false,
                Path.of("row.properties"),
                false,
                null));
  }

  @Test
  void helpIsAskedForWithEitherSpellingAndTheUsageListsEveryOption() {
    assertThat(BenchmarkOptions.parse("-h").help()).isTrue();
    assertThat(BenchmarkOptions.parse("--help").help()).isTrue();

    String usage = BenchmarkOptions.usage().replaceAll("\\s+", " "); // as if not wrapped

    assertThat(usage)
        .contains(
            "--backends",
            "--seconds",
            "--rounds",
            "--window",
            "--warmup",
            "--open-fraction",
            "--p99-target-ms",
            "--max-tasks",
            "--out",
            "--no-fork",
            "--help")
        .contains("default: " + String.join(",", BackendRegistry.defaultNames()) + ";")
        .contains("known: " + String.join(", ", BackendRegistry.names()))
        .contains("(default: 4096)")
        .doesNotContain("--result-file");
  }

  @Test
  void anUnknownBackendNameListsTheKnownOnes() {
    assertThatThrownBy(() -> BackendRegistry.lookup("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown backend 'nope'")
        .hasMessageContaining("known backends: hazelcast, hazelcast-a2b, hazelcast-rr, direct");
  }

  @Test
  void aRowSurvivesTheTripFromAForkedJvm() {
    LoadResult round = result(LoadResult.Mode.CLOSED, 2_000_000_000L, 1_000_000);
    LoadResult open = result(LoadResult.Mode.OPEN, 1_000_000_000L, 250_000);
    BackendSummary row = BackendSummary.of("direct", "floor", List.of(round), open, 0.25, 1.5);

    Properties properties = row.toProperties();
    BackendSummary back = BackendSummary.fromProperties(properties);

    assertThat(back).isEqualTo(row);
    assertThat(back.medianThroughput()).isEqualTo(500_000.0);
  }

  @Test
  void theScaleReportDividesEachRunByItsNodesAndTheSingleNodeFigureAndNamesTheBottleneck() {
    LoadResult open = result(LoadResult.Mode.OPEN, 1_000_000_000L, 1_000);
    List<BackendSummary> rows =
        List.of(
            BackendSummary.of(
                "tideflow-1w",
                "one",
                List.of(result(LoadResult.Mode.CLOSED, 1_000_000_000L, 100_000)),
                open,
                0.1,
                1.95),
            BackendSummary.of(
                "tideflow",
                "two",
                List.of(result(LoadResult.Mode.CLOSED, 1_000_000_000L, 150_000)),
                open,
                0.1,
                1.0),
            BackendSummary.of(
                "hazelcast",
                "peer",
                List.of(result(LoadResult.Mode.CLOSED, 1_000_000_000L, 500_000)),
                open,
                0.1,
                2.0));
    ScaleReport report = ScaleReport.of(rows, 2);
    String table = report.markdown();
    assertThat(table)
        .contains("| tideflow-1w | 1 | 100,000 |")
        .contains("| 1.00 | the machine's CPU, shared by the client and 1 worker node(s)")
        .contains("| tideflow | 2 | 150,000 |")
        .contains("| 0.75 | not the CPU (this JVM 1.00 of 2 cores, other processes 0.10)")
        .contains("| hazelcast | – | 500,000 |");
    assertThat(report.html()).contains("<svg").contains("efficiency");
    assertThat(ScaleReport.workers("tideflow-8w")).isEqualTo(8);
    assertThat(ScaleReport.workers("tideflow-tls")).isZero();
  }

  private static LoadResult result(LoadResult.Mode mode, long elapsedNanos, long completed) {
    Histogram latencies = new Histogram(LoadRunner.HIGHEST_TRACKABLE_NANOS, 3);
    latencies.recordValueWithCount(1_000, completed);
    return new LoadResult(
        "x",
        mode,
        16,
        mode == LoadResult.Mode.OPEN ? 250_000 : 0,
        completed,
        completed,
        0,
        0,
        elapsedNanos,
        latencies,
        new Histogram(LoadRunner.HIGHEST_TRACKABLE_NANOS, 3),
        "");
  }
}
