package io.tideflow.cli;

import io.tideflow.core.partition.Graph;
import io.tideflow.core.partition.MetisFormat;
import io.tideflow.core.partition.MultilevelPartitioner;
import io.tideflow.core.partition.Partition;
import io.tideflow.core.partition.PartitionRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tideflow partition}: Tideflow's partitioner on any graph in METIS's format. */
@Command(
    name = "partition",
    mixinStandardHelpOptions = true,
    description = {
      "Cuts a graph in METIS's format into K parts with the partitioner that places flows, and",
      "writes the partition as gpmetis does (FILE.part.K: each vertex's part, one per line).",
      "Prints the edge cut, the imbalance and the time."
    })
final class PartitionCommand implements Callable<Integer> {
  /** Graph files larger than this are refused rather than read. */
  static final long MAX_FILE_BYTES = 1L << 30;

  @Parameters(index = "0", paramLabel = "FILE.graph", description = "The graph, METIS format")
  Path file;

  @Option(names = "--parts", required = true, paramLabel = "K", description = "How many parts")
  int parts;

  @Option(
      names = "--imbalance",
      paramLabel = "FRACTION",
      description = "How far a part may weigh over its share (default: ${DEFAULT-VALUE})")
  double imbalance = PartitionRequest.DEFAULT_IMBALANCE;

  @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Where to write the partition (default: FILE.graph.part.K)")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (parts < 1) {
      throw new IllegalArgumentException("--parts must be >= 1, was " + parts);
    }
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new IllegalArgumentException(
          file + " is over " + (MAX_FILE_BYTES >> 20) + " MiB: not read");
    }
    Graph graph;
    try {
      graph = MetisFormat.parse(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    PartitionRequest request = PartitionRequest.of(parts).withImbalance(imbalance).withSeed(seed);
    long t0 = System.nanoTime();
    Partition p = new MultilevelPartitioner().partition(graph, request);
    double ms = (System.nanoTime() - t0) / 1e6;
    Path target = out != null ? out : Path.of(file + ".part." + parts);
    Files.writeString(target, MetisFormat.formatPartition(p, graph.vertexCount()));
    System.out.printf(
        Locale.ROOT,
        "%d vertices, %d edges into %d parts: edge cut %d, imbalance %.2f %%, %.1f ms;"
            + " written to %s%n",
        graph.vertexCount(),
        graph.edgeCount(),
        parts,
        p.cut(),
        100 * p.imbalance(),
        ms,
        target);
    return ExitCodes.OK;
  }
}
