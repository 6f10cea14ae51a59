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
 * edge cut, imbalance and time at k = 2, 4, 8 over five seeds each, gpmetis as it comes and with
 * {@code -ncuts 3} (the best of three, as Tideflow's three runs). Both are randomized, so one seed
 * proves little: the table gives the mean and the best cut. Prints a Markdown table and writes the
 * graphs, a CSV of every run and the table to the output directory.
 *
 * <pre>
 * PartitionBench [OUT_DIR]     (default target/partition-bench; needs gpmetis on the PATH)
 * </pre>
 *
 * <p>To iterate on a subset: {@code -Dpartition.bench.graphs=rmat-2000,rgg-2000} (names as in the
 * table), {@code -Dpartition.bench.ks=8}, {@code -Dpartition.bench.joins=false} (skip the node-join
 * table), e.g. through {@code BENCH_JAVA_OPTS} of {@code run-partition-bench.sh}.
 */
public final class PartitionBench {
  private static final Pattern CUT = Pattern.compile("Edgecut:\\s+(\\d+)");
  private static final Pattern TIME = Pattern.compile("Partitioning:\\s+([0-9.]+) sec");

  /** Seeds each tool is run with; the table gives the mean and best cut over them. */
  private static final int SEEDS = 5;

  /** Tideflow's default runs; gpmetis gets as many cuts to choose from. */
  private static final int RUNS = 3;

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
    // A subset, to iterate (see the class comment).
    String only = System.getProperty("partition.bench.graphs");
    if (only != null) {
      graphs.keySet().retainAll(List.of(only.split(",")));
    }
    int[] ks =
        Arrays.stream(System.getProperty("partition.bench.ks", "2,4,8").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    boolean joinsToo = Boolean.parseBoolean(System.getProperty("partition.bench.joins", "true"));
    List<String> rows = new ArrayList<>();
    List<String> csv = new ArrayList<>();
    csv.add("graph,vertices,edges,k,seed,tool,cut,imbalance,ms");
    MultilevelPartitioner ours = new MultilevelPartitioner();
    for (Map.Entry<String, Graph> e : graphs.entrySet()) {
      Graph g = e.getValue();
      Path file = out.resolve(e.getKey() + ".graph");
      Files.writeString(file, MetisFormat.format(g), StandardCharsets.US_ASCII);
      for (int k : ks) {
        ours.partition(g, PartitionRequest.of(k)); // warm-up
        Runs tideflow = new Runs();
        Runs plain = new Runs();
        Runs best = new Runs();
        for (int seed = 1; seed <= SEEDS; seed++) {
          PartitionRequest request = PartitionRequest.of(k).withSeed(seed);
          long t0 = System.nanoTime();
          Partition p = ours.partition(g, request);
          double ms = (System.nanoTime() - t0) / 1e6;
          tideflow.add(p.cut(), p.imbalance(), ms);
          Metis m = gpmetis(file, g, request, List.of("-seed=" + seed));
          plain.add(m.cut, m.imbalance, m.ms);
          Metis m3 = gpmetis(file, g, request, List.of("-seed=" + seed, "-ncuts=" + RUNS));
          best.add(m3.cut, m3.imbalance, m3.ms);
          String prefix = e.getKey() + "," + g.vertexCount() + "," + g.edgeCount() + "," + k;
          csv.add(
              String.format(
                  Locale.ROOT,
                  "%s,%d,tideflow,%d,%.4f,%.2f",
                  prefix,
                  seed,
                  p.cut(),
                  p.imbalance(),
                  ms));
          csv.add(
              String.format(
                  Locale.ROOT,
                  "%s,%d,gpmetis,%d,%.4f,%.2f",
                  prefix,
                  seed,
                  m.cut,
                  m.imbalance,
                  m.ms));
          csv.add(
              String.format(
                  Locale.ROOT,
                  "%s,%d,gpmetis-ncuts%d,%d,%.4f,%.2f",
                  prefix,
                  seed,
                  RUNS,
                  m3.cut,
                  m3.imbalance,
                  m3.ms));
        }
        System.err.printf(
            Locale.ROOT,
            "%s k=%d: tideflow %.0f, gpmetis %.0f, gpmetis -ncuts=%d %.0f%n",
            e.getKey(),
            k,
            tideflow.meanCut(),
            plain.meanCut(),
            RUNS,
            best.meanCut());
        rows.add(
            String.format(
                Locale.ROOT,
                "| %s | %,d | %,d | %d | %s | %s | %s | %.3f |",
                e.getKey(),
                g.vertexCount(),
                g.edgeCount(),
                k,
                tideflow.cell(),
                plain.cell(),
                best.cell(),
                tideflow.meanCut() / best.meanCut()));
      }
    }
    List<String> joins = new ArrayList<>();
    for (Map.Entry<String, Graph> e :
        joinsToo ? graphs.entrySet() : Map.<String, Graph>of().entrySet()) {
      for (int k : new int[] {4, 8}) {
        joins.add(join(e.getKey(), e.getValue(), k, ours));
      }
    }
    String joinTable =
        "\n| graph | k -> k+1 | vertices the bounds force to move | moved | moved / forced "
            + "| cut after | fresh cut at k+1 | after / fresh | ms |\n"
            + "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
            + String.join("\n", joins)
            + "\n";
    String table =
        "| graph | vertices | edges | k | Tideflow: mean cut (best), worst imbalance, median ms "
            + "| gpmetis | gpmetis -ncuts="
            + RUNS
            + " | Tideflow / gpmetis -ncuts="
            + RUNS
            + " |\n"
            + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
            + String.join("\n", rows)
            + "\n";
    System.out.print(table + joinTable);
    Files.writeString(out.resolve("partition-bench.md"), table + joinTable);
    Files.write(out.resolve("partition-bench.csv"), csv);
  }

  /**
   * A node joining a cluster of {@code k}: the {@code k}-way partition repartitioned into {@code k
   * + 1} equal shares incrementally, against the least the bounds force to move and a fresh cut.
   */
  private static String join(String name, Graph g, int k, MultilevelPartitioner ours) {
    Partition before = ours.partition(g, PartitionRequest.of(k));
    PartitionRequest request = PartitionRequest.of(k + 1).withCurrent(before.assignment());
    long t0 = System.nanoTime();
    Partition after = ours.partition(g, request);
    double ms = (System.nanoTime() - t0) / 1e6;
    long forced = 0;
    for (int p = 0; p < k; p++) {
      forced += Math.max(0, before.partWeight(p) - request.maxWeight(p, g.totalVertexWeight()));
    }
    int moved = 0;
    for (int v = 0; v < g.vertexCount(); v++) {
      if (after.part(v) != before.part(v)) {
        moved++;
      }
    }
    long fresh = ours.partition(g, PartitionRequest.of(k + 1)).cut();
    return String.format(
        Locale.ROOT,
        "| %s | %d -> %d | %,d | %,d | %.2f | %,d | %,d | %.2f | %.0f |",
        name,
        k,
        k + 1,
        forced,
        moved,
        (double) moved / forced,
        after.cut(),
        fresh,
        (double) after.cut() / fresh,
        ms);
  }

  /** Cuts, imbalances and times of one tool over the seeds. */
  private static final class Runs {
    private final List<Long> cuts = new ArrayList<>();
    private final List<Double> ms = new ArrayList<>();
    private double worstImbalance;

    void add(long cut, double imbalance, double millis) {
      cuts.add(cut);
      ms.add(millis);
      worstImbalance = Math.max(worstImbalance, imbalance);
    }

    double meanCut() {
      return cuts.stream().mapToLong(Long::longValue).average().orElse(0);
    }

    String cell() {
      double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return String.format(
          Locale.ROOT,
          "%,.0f (%,d), %.1f %%, %.0f ms",
          meanCut(),
          cuts.stream().mapToLong(Long::longValue).min().orElse(0),
          100 * worstImbalance,
          sorted[sorted.length / 2]);
    }
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
