package io.tideflow.cli.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the execution logs of {@link CountingHandlers} say at one moment: how often each task ran,
 * and where. A line being written as the logs are read is left for the next read.
 */
final class Executions {
  private final Map<String, Integer> runsByTask;
  private final Map<String, Integer> runsByNode;

  private Executions(Map<String, Integer> runsByTask, Map<String, Integer> runsByNode) {
    this.runsByTask = runsByTask;
    this.runsByNode = runsByNode;
  }

  static Executions read(Path dir) {
    Map<String, Integer> byTask = new HashMap<>();
    Map<String, Integer> byNode = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return new Executions(byTask, byNode);
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        String name = file.getFileName().toString();
        String node = name.substring(0, name.lastIndexOf('-'));
        String text = Files.readString(file);
        // Only whole lines: the last one may still be on its way.
        List<String> lines = text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
        for (String line : lines) {
          byTask.merge(line.substring(0, line.indexOf(' ')), 1, Integer::sum);
        }
        byNode.merge(node, lines.size(), Integer::sum);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read execution logs in " + dir, e);
    }
    return new Executions(byTask, byNode);
  }

  /** Runs of tasks whose id starts with {@code prefix}. */
  long runs(String prefix) {
    return runsByTask.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  /** Tasks whose id starts with {@code prefix} that ran at least once. */
  long tasksRun(String prefix) {
    return runsByTask.keySet().stream().filter(id -> id.startsWith(prefix)).count();
  }

  /** Tasks whose id starts with {@code prefix} that ran more than once. */
  long duplicated(String prefix) {
    return runsByTask.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix) && e.getValue() > 1)
        .count();
  }

  /** How often {@code id} ran. */
  int runsOf(String id) {
    return runsByTask.getOrDefault(id, 0);
  }

  /** Runs per node name. */
  Map<String, Integer> byNode() {
    return Map.copyOf(runsByNode);
  }
}
