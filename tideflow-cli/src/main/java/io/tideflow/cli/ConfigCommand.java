package io.tideflow.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tideflow config check FILE}: reads a config file as the commands would, and says so. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = {
      "Checks a config file: one YAML map with a section per command (coordinator, worker, …),",
      "each key a long option of that command without its dashes, a list for an option given",
      "several times, true for a flag. Any command takes the file with --config FILE (or",
      "TIDEFLOW_CONFIG); TIDEFLOW_<OPTION> variables override it, flags override both."
    },
    subcommands = {ConfigCommand.Check.class})
final class ConfigCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Reads FILE and its pools and alert rules; exits 0 when all is well, 2 if not")
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The config file")
    Path file;

    @Override
    public Integer call() {
      CommandLine root = TideflowCommand.commandLine();
      try {
        ConfigFile config = ConfigFile.read(file, root);
        for (Map.Entry<String, Map<String, Object>> s : config.sections().entrySet()) {
          System.out.println(
              s.getKey() + ": " + s.getValue().size() + " setting(s)" + deeper(root, s.getKey()));
        }
        System.out.println("OK: " + file);
        return ExitCodes.OK;
      } catch (IllegalArgumentException e) {
        System.err.println("tideflow config check: " + e.getMessage());
        return ExitCodes.USAGE;
      }
    }

    /** What the coordinator would make of its section: its pool and its alert rules. */
    private String deeper(CommandLine root, String command) {
      if (!command.equals("coordinator")) {
        return "";
      }
      String[] args =
          ConfigFile.expand(
              new String[] {"coordinator", ConfigFile.OPTION, file.toString()}, Map.of(), root);
      CommandLine fresh;
      try {
        fresh =
            ConfigFile.parsed("coordinator", java.util.Arrays.copyOfRange(args, 1, args.length));
      } catch (CommandLine.ParameterException e) {
        throw new IllegalArgumentException(file + ": coordinator: " + e.getMessage(), e);
      }
      CoordinatorCommand c = fresh.getCommand();
      StringBuilder out = new StringBuilder();
      if (c.pool != null && c.pool.enabled()) {
        var spec = c.pool.spec();
        out.append("; pool ")
            .append(spec.name())
            .append(" ")
            .append(spec.limits().min())
            .append("..")
            .append(spec.limits().max())
            .append(" nodes, policies ");
        out.append(
            String.join(
                ", ", spec.policies().stream().map(p -> p.getClass().getSimpleName()).toList()));
      }
      out.append("; ").append(c.alerts.rules().size()).append(" alert rule(s)");
      return out.toString();
    }
  }
}
