package io.tideflow.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.core.alert.AlertRule;
import io.tideflow.core.alert.BuiltinRules;
import io.tideflow.server.alert.AlertChannel;
import io.tideflow.server.alert.AlertLoop;
import io.tideflow.server.alert.AlertRulesFile;
import io.tideflow.server.alert.AlertmanagerChannel;
import io.tideflow.server.alert.LogChannel;
import io.tideflow.server.alert.PrometheusText;
import io.tideflow.server.alert.WebhookChannel;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Option;

/**
 * Which alert rules a coordinator evaluates while it leads, and where the alerts go: the log
 * always, webhooks and Alertmanager when named.
 */
final class AlertOptions {
  @Option(
      names = "--alert-rules",
      paramLabel = "FILE",
      description = "Alert rules in Prometheus' rule-file format, added to the built-in ones")
  List<Path> files = new ArrayList<>();

  @Option(
      names = "--no-builtin-alerts",
      description = "Evaluate only the rules of --alert-rules, not the built-in ones")
  boolean noBuiltins;

  @Option(
      names = "--alert-webhook",
      paramLabel = "URL",
      description = "POST firing and resolved alerts to URL as JSON (repeatable)")
  List<URI> webhooks = new ArrayList<>();

  @Option(
      names = "--alertmanager",
      paramLabel = "URL",
      description = "Send alerts to the Alertmanager at URL (its v2 API), e.g. http://am:9093")
  List<URI> alertmanagers = new ArrayList<>();

  @Option(
      names = "--alert-interval",
      paramLabel = "DURATION",
      description = "How often the rules are evaluated (default: ${DEFAULT-VALUE})",
      converter = Durations.class)
  Duration interval = Duration.ofSeconds(10);

  /**
   * The rules: the built-in ones unless left out, then each file's.
   *
   * @throws IllegalArgumentException naming a file and the rule in it that is wrong, or a name
   *     given twice
   */
  List<AlertRule> rules() {
    List<AlertRule> rules = new ArrayList<>(noBuiltins ? List.of() : BuiltinRules.all());
    for (Path f : files) {
      rules.addAll(AlertRulesFile.read(f));
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (AlertRule r : rules) {
      if (!names.add(r.name())) {
        throw new IllegalArgumentException(
            "two alert rules are named "
                + r.name()
                + " (a built-in one is replaced only with"
                + " --no-builtin-alerts)");
      }
    }
    return rules;
  }

  List<AlertChannel> channels() {
    List<AlertChannel> channels = new ArrayList<>();
    channels.add(new LogChannel());
    for (URI u : webhooks) {
      channels.add(new WebhookChannel(u));
    }
    for (URI u : alertmanagers) {
      channels.add(new AlertmanagerChannel(u, interval));
    }
    return channels;
  }

  /** Starts evaluating over {@code registry}'s own scrape while {@code evaluates} holds. */
  AlertLoop start(
      PrometheusMeterRegistry registry, BooleanSupplier evaluates, List<AlertChannel> more) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("--alert-interval must be > 0, was " + interval);
    }
    List<AlertChannel> channels = new ArrayList<>(channels());
    channels.addAll(more);
    return AlertLoop.start(
        rules(),
        () -> PrometheusText.parse(registry.scrape()),
        evaluates,
        channels,
        interval,
        InstantSource.system(),
        registry);
  }
}
