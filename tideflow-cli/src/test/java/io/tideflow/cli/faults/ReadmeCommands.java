package io.tideflow.cli.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The commands of a block of the README, marked {@code <!-- NAME -->} ... {@code <!-- /NAME -->},
 * so that a test runs what the README tells people to run: each {@code ./tideflow} line as the
 * arguments after {@code ./tideflow}, and the {@code etcd} line as it is.
 */
record ReadmeCommands(List<List<String>> commands, String etcdLine) {

  static ReadmeCommands read(String block) {
    Path readme = find();
    List<String> lines;
    try {
      lines = Files.readAllLines(readme);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + readme, e);
    }
    int start = lines.indexOf("<!-- " + block + " -->");
    int end = lines.indexOf("<!-- /" + block + " -->");
    if (start < 0 || end < start) {
      throw new IllegalStateException(readme + " has no block <!-- " + block + " -->");
    }
    List<List<String>> commands = new ArrayList<>();
    String etcd = null;
    for (String line : lines.subList(start + 1, end)) {
      String t = line.trim();
      if (t.startsWith("./tideflow ")) {
        commands.add(List.copyOf(Arrays.asList(t.substring("./tideflow ".length()).split("\\s+"))));
      } else if (t.startsWith("etcd ")) {
        etcd = t;
      }
    }
    return new ReadmeCommands(List.copyOf(commands), etcd);
  }

  /** The one command whose first word is {@code name}. */
  List<String> command(String name) {
    List<List<String>> found = commands.stream().filter(c -> c.get(0).equals(name)).toList();
    if (found.size() != 1) {
      throw new IllegalStateException(
          "the README block has " + found.size() + " " + name + " commands");
    }
    return found.get(0);
  }

  /** The value after {@code option} in {@code args}, or null. */
  static String option(List<String> args, String option) {
    int i = args.indexOf(option);
    return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
  }

  /** README.md at the root of the repository, from whichever module directory the test runs in. */
  private static Path find() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("README.md");
      if (Files.isRegularFile(candidate) && Files.isDirectory(dir.resolve("tideflow-cli"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no README.md above " + Path.of("").toAbsolutePath());
  }
}
