package io.tideflow.cli;

import io.tideflow.server.alert.AlertRulesFile;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Prints the alert rules a coordinator would evaluate as a Prometheus rules file. */
@Command(
    name = "alerts",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the alert rules a coordinator evaluates (the built-in ones and those of",
      "--alert-rules) as a Prometheus rules file, for those who alert in Prometheus itself:",
      "  tideflow alerts > tideflow-rules.yaml   (then rule_files: [tideflow-rules.yaml])",
      "A rules file with a mistake is refused naming the rule and the problem."
    })
final class AlertsCommand implements Callable<Integer> {
  @Mixin AlertOptions alerts;

  @Override
  public Integer call() {
    try {
      System.out.print(AlertRulesFile.write("tideflow", alerts.rules()));
      return ExitCodes.OK;
    } catch (IllegalArgumentException e) {
      System.err.println("tideflow alerts: " + e.getMessage());
      return ExitCodes.USAGE;
    }
  }
}
