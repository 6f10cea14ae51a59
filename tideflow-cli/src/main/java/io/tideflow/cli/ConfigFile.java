package io.tideflow.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One YAML file for a cluster or a node: a section per command ({@code coordinator:}, {@code
 * worker:}, …) whose keys are that command's long options without the dashes — {@code store},
 * {@code pool}, {@code preset}, {@code alert-rules} — with a list for an option given more than
 * once and {@code true} for a flag. Any key is overridden by the environment ({@code TIDEFLOW_} and
 * the option's name in capitals, {@code -} as {@code _}: {@code TIDEFLOW_MAX=8}; a list's items
 * separated by {@code ;}) and the environment by the command line. Unknown sections and keys, and
 * values the option does not take, are refused with their path and the reason.
 */
final class ConfigFile {
  /** The largest config file read. */
  static final long MAX_BYTES = 1 << 20;

  static final String OPTION = "--config";

  private final String source;
  private final Map<String, Map<String, Object>> sections;

  private ConfigFile(String source, Map<String, Map<String, Object>> sections) {
    this.source = source;
    this.sections = sections;
  }

  /**
   * Reads {@code file}, checking its sections against {@code root}'s commands and their options.
   *
   * @throws IllegalArgumentException naming the file, the key and the problem
   */
  static ConfigFile read(Path file, CommandLine root) {
    String text;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new IllegalArgumentException(
            file + ": the config file is over " + MAX_BYTES + " bytes");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the config file " + file, e);
    }
    return parse(text, file.toString(), root);
  }

  static ConfigFile parse(String yaml, String source, CommandLine root) {
    Object top;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setMaxAliasesForCollections(10);
      top = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (YAMLException e) {
      throw new IllegalArgumentException(source + ": not YAML: " + e.getMessage(), e);
    }
    if (top == null) {
      top = Map.of();
    }
    if (!(top instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(source + ": the file must be a map of command sections");
    }
    Map<String, Map<String, Object>> sections = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String command = String.valueOf(e.getKey());
      CommandLine sub = root.getSubcommands().get(command);
      if (sub == null) {
        throw new IllegalArgumentException(
            source
                + ": "
                + command
                + ": not a command (sections: "
                + String.join(", ", new TreeSet<>(root.getSubcommands().keySet()))
                + ")");
      }
      if (!(e.getValue() instanceof Map<?, ?> keys)) {
        throw new IllegalArgumentException(source + ": " + command + " must be a map of options");
      }
      Map<String, Object> section = new LinkedHashMap<>();
      for (Map.Entry<?, ?> k : keys.entrySet()) {
        String key = String.valueOf(k.getKey());
        String path = source + ": " + command + "." + key;
        OptionSpec option = sub.getCommandSpec().findOption("--" + key);
        if (option == null || key.equals("help") || key.equals("version")) {
          throw new IllegalArgumentException(path + ": unknown key" + suggestion(sub, key));
        }
        Object v = k.getValue();
        if (v instanceof Map) {
          throw new IllegalArgumentException(path + ": must be a value or a list, was a map");
        }
        if (v instanceof List<?> && !option.isMultiValue()) {
          throw new IllegalArgumentException(path + ": takes one value, was a list");
        }
        if (option.arity().max() == 0 && !(v instanceof Boolean)) {
          throw new IllegalArgumentException(path + ": is a flag: true or false, was '" + v + "'");
        }
        section.put(key, v);
      }
      sections.put(command, section);
    }
    ConfigFile config = new ConfigFile(source, sections);
    for (String command : sections.keySet()) {
      config.check(root, command);
    }
    return config;
  }

  private static String suggestion(CommandLine sub, String key) {
    String best = null;
    int distance = 3;
    for (String name : sub.getCommandSpec().optionsMap().keySet()) {
      if (name.startsWith("--")) {
        int d = distance(key, name.substring(2));
        if (d < distance) {
          distance = d;
          best = name.substring(2);
        }
      }
    }
    return best == null ? "" : " (did you mean " + best + "?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int[] cur = new int[b.length() + 1];
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      prev = cur;
    }
    return prev[b.length()];
  }

  /** Parses the section's values alone, as the command would, to name a bad one by its key. */
  private void check(CommandLine root, String command) {
    for (Map.Entry<String, Object> e : sections.get(command).entrySet()) {
      List<String> args = new ArrayList<>();
      add(args, e.getKey(), e.getValue());
      try {
        parsed(command, args.toArray(String[]::new));
      } catch (CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.MissingParameterException) {
          continue; // the command's required options may come from elsewhere
        }
        throw new IllegalArgumentException(
            source + ": " + command + "." + e.getKey() + ": " + ex.getMessage(), ex);
      }
    }
  }

  /**
   * A new instance of {@code command} with {@code args} parsed into it (through a new root, as
   * picocli parses), so checking touches no command that will run.
   *
   * @throws CommandLine.ParameterException when the arguments do not parse
   */
  static CommandLine parsed(String command, String... args) {
    CommandLine root = TideflowCommand.commandLine();
    String[] all = new String[args.length + 1];
    all[0] = command;
    System.arraycopy(args, 0, all, 1, args.length);
    root.parseArgs(all);
    return root.getSubcommands().get(command);
  }

  Map<String, Map<String, Object>> sections() {
    return sections;
  }

  /**
   * {@code args} with the config file's and the environment's settings for its command put before
   * what the command line gives: the command line, then the environment, then the file win. {@code
   * --config FILE} (or {@code TIDEFLOW_CONFIG}) names the file; without one only the environment
   * applies.
   */
  static String[] expand(String[] args, Map<String, String> env, CommandLine root) {
    if (args.length == 0 || args[0].startsWith("-")) {
      return args;
    }
    String command = args[0];
    CommandLine sub = root.getSubcommands().get(command);
    if (sub == null) {
      return args;
    }
    List<String> given = new ArrayList<>();
    String file = env.get("TIDEFLOW_CONFIG");
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals(OPTION) && i + 1 < args.length) {
        file = args[++i];
      } else if (args[i].startsWith(OPTION + "=")) {
        file = args[i].substring(OPTION.length() + 1);
      } else {
        given.add(args[i]);
      }
    }
    Map<String, Object> section =
        file == null
            ? Map.of()
            : read(Path.of(file), root).sections().getOrDefault(command, Map.of());
    List<String> out = new ArrayList<>();
    out.add(command);
    CommandSpec spec = sub.getCommandSpec();
    for (OptionSpec option : spec.options()) {
      String name = option.longestName();
      if (!name.startsWith("--") || option.usageHelp() || option.versionHelp()) {
        continue;
      }
      String key = name.substring(2);
      if (isGiven(given, option)) {
        continue;
      }
      String fromEnv = env.get("TIDEFLOW_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
      if (fromEnv != null) {
        Object value =
            option.arity().max() == 0
                ? Boolean.valueOf(fromEnv)
                : option.isMultiValue() ? List.of(fromEnv.split(";")) : fromEnv;
        add(out, key, value);
      } else if (section.containsKey(key)) {
        add(out, key, section.get(key));
      }
    }
    out.addAll(given);
    return out.toArray(String[]::new);
  }

  private static boolean isGiven(List<String> given, OptionSpec option) {
    for (String arg : given) {
      for (String name : option.names()) {
        if (arg.equals(name) || arg.startsWith(name + "=")) {
          return true;
        }
      }
    }
    return false;
  }

  private static void add(List<String> args, String key, Object value) {
    if (value instanceof Boolean b) {
      if (b) {
        args.add("--" + key);
      }
      return;
    }
    if (value instanceof List<?> list) {
      for (Object v : list) {
        args.add("--" + key + "=" + v);
      }
      return;
    }
    if (value != null) {
      args.add("--" + key + "=" + value);
    }
  }
}
