package io.tideflow.cli;

import io.tideflow.runtime.task.TaskException;
import io.tideflow.store.StoreUnavailableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tideflow} command. */
@Command(
    name = "tideflow",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Tideflow spreads Java tasks across a cluster of worker nodes, places them where they fit,",
      "and keeps them running when nodes die.",
      "",
      "Start with 'tideflow demo': a whole cluster in this JVM, on real gRPC.",
      "Every command takes its settings from a config file too: --config FILE (see 'config')."
    },
    subcommands = {
      DemoCommand.class,
      WorkerCommand.class,
      CoordinatorCommand.class,
      SubmitCommand.class,
      StatusCommand.class,
      CaCommand.class,
      CertCommand.class,
      StoreCommand.class,
      PartitionCommand.class,
      FlowCommand.class,
      FlowDeployment.Deploy.class,
      FlowDeployment.Flows.class,
      FlowDeployment.Undeploy.class,
      AlertsCommand.class,
      ConfigCommand.class,
      ScaleCommand.class,
      CommandLine.HelpCommand.class
    })
public final class TideflowCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    Logging.configure();
    System.exit(execute(commandLine(), args, System.getenv()));
  }

  /**
   * Runs {@code args} on {@code cl} with the settings of {@code --config FILE} and of {@code
   * TIDEFLOW_*} variables in {@code env} under what the command line gives.
   */
  static int execute(CommandLine cl, String[] args, java.util.Map<String, String> env) {
    String[] expanded;
    try {
      expanded = ConfigFile.expand(args, env, cl);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      cl.getErr().println("tideflow: " + e.getMessage());
      cl.getErr().flush();
      return ExitCodes.USAGE;
    }
    return cl.execute(expanded);
  }

  /** The command line with Tideflow's error handling: a clear message, not a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new TideflowCommand());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          String message = describe(ex);
          commandLine.getErr().println("tideflow: " + message);
          if (System.getenv("TIDEFLOW_DEBUG") != null) {
            ex.printStackTrace(commandLine.getErr());
          }
          return ex instanceof StoreUnavailableException
              ? ExitCodes.STORE_UNAVAILABLE
              : ExitCodes.FAILED;
        });
    return cl;
  }

  static String describe(Throwable ex) {
    Throwable t = ex;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof TaskException te) {
      return te.kind() + ": " + te.getMessage();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
