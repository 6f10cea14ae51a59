package io.tideflow.examples;

import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ScatterGather;
import io.tideflow.runtime.client.TideflowClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Counts the words of a text file over many tasks: each task counts a slice of lines ({@code
 * word-count}), the client merges the counts and prints the most frequent.
 *
 * <pre>
 * WordCount embedded|STORE-URI FILE [LINES-PER-TASK]
 * </pre>
 */
public final class WordCount {
  private WordCount() {}

  /** The counts of {@code lines}' words, {@code perTask} lines to a task. */
  public static Map<String, Long> count(TideflowClient client, List<String> lines, int perTask)
      throws Exception {
    List<TaskSpec> pieces = new ArrayList<>();
    for (int i = 0; i < lines.size(); i += perTask) {
      String slice = String.join("\n", lines.subList(i, Math.min(lines.size(), i + perTask)));
      pieces.add(
          TaskSpec.builder("word-count").payload(slice.getBytes(StandardCharsets.UTF_8)).build());
    }
    return ScatterGather.of(client, pieces, r -> parse(r.output()))
        .reduce(new HashMap<>(), WordCount::merge)
        .get(10, TimeUnit.MINUTES)
        .value();
  }

  private static Map<String, Long> parse(byte[] output) {
    Map<String, Long> counts = new HashMap<>();
    for (String line : new String(output, StandardCharsets.UTF_8).split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        counts.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
      }
    }
    return counts;
  }

  /** Folds {@code b} into a copy of {@code a}: the reduction sees results in any order. */
  private static Map<String, Long> merge(Map<String, Long> a, Map<String, Long> b) {
    Map<String, Long> out = new HashMap<>(a);
    b.forEach((w, c) -> out.merge(w, c, Long::sum));
    return out;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: WordCount embedded|STORE-URI FILE [LINES-PER-TASK]");
      System.exit(2);
    }
    List<String> lines = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
    int perTask = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    try (Cluster cluster = Cluster.open(args[0])) {
      Map<String, Long> counts = count(cluster.client, lines, perTask);
      counts.entrySet().stream()
          .sorted(
              Map.Entry.<String, Long>comparingByValue()
                  .reversed()
                  .thenComparing(Map.Entry.comparingByKey()))
          .limit(10)
          .forEach(e -> System.out.println(e.getValue() + "\t" + e.getKey()));
      System.out.println(counts.size() + " distinct words in " + lines.size() + " lines");
    }
  }
}
