package io.tideflow.bench.partition;

import io.tideflow.core.partition.Graph;
import io.tideflow.core.partition.MetisFormat;
import io.tideflow.core.partition.MultilevelPartitioner;
import io.tideflow.core.partition.Partition;
import io.tideflow.core.partition.PartitionRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tideflow's multilevel partitioner against METIS's {@code gpmetis} on the same METIS-format files:
 * edge cut, imbalance and time at k = 2, 4, 8, gpmetis as it comes and with {@code -ncuts 4} (the
 * best of four, as Tideflow's four runs). Prints a Markdown table and writes the graphs, a CSV and
 * the table to the output directory.
 *
 * <pre>
 * PartitionBench [OUT_DIR]     (default target/partition-bench; needs gpmetis on the PATH)
 * </pre>
 */
public final class PartitionBench {
  private static final Pattern CUT = Pattern.compile("Edgecut:\\s+(\\d+)");
  private static final Pattern TIME = Pattern.compile("Partitioning:\\s+([0-9.]+) sec");
  private static final int TIMED_RUNS = 5;

  private PartitionBench() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "target/partition-bench");
    Files.createDirectories(out);
    Map<String, Graph> graphs = new LinkedHashMap<>();
    graphs.put("grid-100x100", SampleGraphs.grid(100, 100));
    graphs.put("grid-300x300", SampleGraphs.grid(300, 300));
    graphs.put("rgg-2000", SampleGraphs.randomGeometric(2_000, 8, 42));
    graphs.put("rgg-20000", SampleGraphs.randomGeometric(20_000, 8, 42));
    graphs.put("rmat-2000", SampleGraphs.rmat(11, 8, 42));
    graphs.put("rmat-16384", SampleGraphs.rmat(14, 8, 42));
    List<String> rows = new ArrayList<>();
    List<String> csv = new ArrayList<>();
    csv.add(
        "graph,vertices,edges,k,tideflow_cut,tideflow_imbalance,tideflow_ms,"
            + "gpmetis_cut,gpmetis_imbalance,gpmetis_ms,gpmetis4_cut,gpmetis4_imbalance,gpmetis4_ms");
    MultilevelPartitioner ours = new MultilevelPartitioner();
    for (Map.Entry<String, Graph> e : graphs.entrySet()) {
      Graph g = e.getValue();
      Path file = out.resolve(e.getKey() + ".graph");
      Files.writeString(file, MetisFormat.format(g), StandardCharsets.US_ASCII);
      for (int k : new int[] {2, 4, 8}) {
        PartitionRequest request = PartitionRequest.of(k);
        Partition p = ours.partition(g, request); // also the warm-up
        double[] ms = new double[TIMED_RUNS];
        for (int i = 0; i < TIMED_RUNS; i++) {
          long t0 = System.nanoTime();
          p = ours.partition(g, request);
          ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        Metis plain = gpmetis(file, g, request, List.of());
        Metis four = gpmetis(file, g, request, List.of("-ncuts=4"));
        System.err.printf(
            Locale.ROOT,
            "%s k=%d: tideflow %d, gpmetis %d, gpmetis -ncuts=4 %d%n",
            e.getKey(),
            k,
            p.cut(),
            plain.cut,
            four.cut);
        rows.add(
            String.format(
                Locale.ROOT,
                "| %s | %,d | %,d | %d | %,d | %.1f %% | %.1f | %,d | %.1f %% | %.1f | %,d | %.1f %% | %.1f | %.3f |",
                e.getKey(),
                g.vertexCount(),
                g.edgeCount(),
                k,
                p.cut(),
                100 * p.imbalance(),
                ms[TIMED_RUNS / 2],
                plain.cut,
                100 * plain.imbalance,
                plain.ms,
                four.cut,
                100 * four.imbalance,
                four.ms,
                (double) p.cut() / four.cut));
        csv.add(
            String.format(
                Locale.ROOT,
                "%s,%d,%d,%d,%d,%.4f,%.2f,%d,%.4f,%.2f,%d,%.4f,%.2f",
                e.getKey(),
                g.vertexCount(),
                g.edgeCount(),
                k,
                p.cut(),
                p.imbalance(),
                ms[TIMED_RUNS / 2],
                plain.cut,
                plain.imbalance,
                plain.ms,
                four.cut,
                four.imbalance,
                four.ms));
      }
    }
    String table =
        "| graph | vertices | edges | k | Tideflow cut | imbalance | ms (median of 5) "
            + "| gpmetis cut | imbalance | ms | gpmetis -ncuts=4 cut | imbalance | ms "
            + "| Tideflow / gpmetis -ncuts=4 |\n"
            + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
            + String.join("\n", rows)
            + "\n";
    System.out.print(table);
    Files.writeString(out.resolve("partition-bench.md"), table);
    Files.write(out.resolve("partition-bench.csv"), csv);
  }

  /** What gpmetis made of {@code file}: its cut, the imbalance of its partition, its own time. */
  private record Metis(long cut, double imbalance, double ms) {}

  private static Metis gpmetis(Path file, Graph g, PartitionRequest request, List<String> flags)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("gpmetis"));
    command.addAll(flags);
    command.add(file.toString());
    command.add(Integer.toString(request.parts()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("gpmetis failed: " + command + "\n" + output);
    }
    Matcher cut = CUT.matcher(output);
    Matcher time = TIME.matcher(output);
    if (!cut.find() || !time.find()) {
      throw new IllegalStateException("no edge cut or time in gpmetis's output:\n" + output);
    }
    Path partFile = Path.of(file + ".part." + request.parts());
    int[] assignment =
        MetisFormat.parsePartition(Files.readString(partFile), g.vertexCount(), request.parts());
    Partition measured = Partition.of(g, request, assignment);
    if (measured.cut() != Long.parseLong(cut.group(1))) {
      throw new IllegalStateException(
          "gpmetis says cut " + cut.group(1) + ", its partition file cuts " + measured.cut());
    }
    return new Metis(measured.cut(), measured.imbalance(), Double.parseDouble(time.group(1)) * 1e3);
  }
}
