package io.tideflow.cli;

import io.tideflow.core.autoscale.HpaBehavior;
import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.autoscale.PoolAutoscaler;
import io.tideflow.runtime.autoscale.PoolConfig;
import io.tideflow.runtime.pool.PolicySpec;
import io.tideflow.runtime.pool.PoolLinks;
import io.tideflow.runtime.pool.PoolSpec;
import io.tideflow.runtime.pool.ProviderFactory;
import io.tideflow.runtime.pool.ProviderKind;
import io.tideflow.runtime.provider.NodeLinks;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.security.NodeCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The coordinator's autoscaled pool, as options: which provider starts its nodes, what a node is,
 * its bounds, and what it follows (tasks in flight per node, and work that waits for room). It only
 * parses and checks them into a {@link PoolSpec}; {@link io.tideflow.runtime.pool.PoolSupervisor}
 * runs the pool.
 */
final class PoolOptions {
  @Option(
      names = "--pool",
      paramLabel = "NAME",
      description =
          "Autoscale a pool of this name while leading (nodes carry tideflow.io/pool=NAME)")
  String pool;

  @Option(
      names = "--provider",
      paramLabel = "KIND",
      split = ",",
      defaultValue = "LOCAL_PROCESS",
      description =
          "Who starts the pool's nodes: LOCAL_PROCESS (worker JVMs on this machine) or"
              + " IN_PROCESS (workers inside this JVM); several, comma-separated, in priority order:"
              + " when one fails to launch or turns unhealthy the next is used (default: LOCAL_PROCESS)")
  List<ProviderKind> providers;

  @Option(names = "--min", description = "Fewest nodes (default: ${DEFAULT-VALUE})")
  int min = 1;

  @Option(names = "--max", description = "Most nodes (default: ${DEFAULT-VALUE})")
  int max = 8;

  @Option(
      names = "--node-cpu",
      paramLabel = "MILLICORES",
      description = "Cpu of one node in millicores (default: ${DEFAULT-VALUE})")
  long nodeCpu = 2000;

  @Option(
      names = "--node-memory-mib",
      paramLabel = "MIB",
      description = "Memory of one node in MiB (default: ${DEFAULT-VALUE})")
  long nodeMemoryMib = 2048;

  @Option(
      names = "--node-network",
      paramLabel = "SIZE",
      converter = Sizes.class,
      description = "Network bytes per second one node offers, e.g. 125Mi (default: none)")
  long nodeNetwork = 0;

  @Option(
      names = "--target-concurrency",
      paramLabel = "N",
      description =
          "Tasks in flight per node to aim for (HPA target tracking); 0 to follow only"
              + " waiting work, and then the pool only grows (default: 8, or 0 with --threshold"
              + " or --preset)")
  Double targetConcurrency;

  @Option(
      names = "--threshold",
      paramLabel = "METRIC=HIGH[:LOW]",
      description = {
        "Add a node when METRIC's average (cpu, memory or network, a share of the node's) is over",
        "HIGH, remove one when every threshold's metric is under its LOW (default: half of",
        "HIGH); repeatable, e.g. --threshold cpu=0.8:0.2 --threshold memory=0.9"
      })
  List<String> thresholds = new ArrayList<>();

  @Option(
      names = "--preset",
      paramLabel = "NAME",
      description = "A ready policy: 80-20 (add a node over 80 % cpu, remove one under 20 %)")
  String preset;

  @Option(
      names = "--forecast",
      paramLabel = "FORECASTER",
      description = {
        "Also scale ahead of a daily pattern: forecast the tasks in flight from the pool's own",
        "history with seasonal-naive or holt-winters and size for the forecast peak within",
        "--forecast-lead at --target-concurrency; acts after a day of history, two for",
        "holt-winters (default: none)"
      })
  String forecast;

  @Option(
      names = "--forecast-lead",
      paramLabel = "DURATION",
      converter = Durations.class,
      description =
          "How far ahead the forecast looks: the nodes' start-up and a decision interval"
              + " (default: ${DEFAULT-VALUE})")
  Duration forecastLead = Duration.ofMinutes(2);

  @Option(
      names = "--threshold-span",
      paramLabel = "DURATION",
      converter = Durations.class,
      description = "How far back the thresholds' averages look (default: ${DEFAULT-VALUE})")
  Duration thresholdSpan = Duration.ofMinutes(1);

  @Option(
      names = "--threshold-step",
      paramLabel = "N",
      description = "Nodes a threshold adds or removes at a time (default: ${DEFAULT-VALUE})")
  int thresholdStep = 1;

  @Option(
      names = "--schedule",
      paramLabel = "WINDOW",
      description = {
        "Bounds that hold at certain times, over --min and --max; repeatable, e.g.",
        "'mon-fri 08:00-18:00 Europe/Berlin min=4 max=20' (the zone defaults to UTC)"
      })
  List<String> schedules = new ArrayList<>();

  @Option(
      names = "--scale-down-window",
      paramLabel = "DURATION",
      converter = Durations.class,
      description =
          "How long the highest recent recommendation holds before the pool shrinks"
              + " (HPA stabilization; default: ${DEFAULT-VALUE})")
  Duration scaleDownWindow = Duration.ofMinutes(5);

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      converter = Durations.class,
      description = "How often the autoscaler decides (default: ${DEFAULT-VALUE})")
  Duration interval = Duration.ofSeconds(1);

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      converter = Durations.class,
      description =
          "How long a node being removed may finish its tasks (default: ${DEFAULT-VALUE})")
  Duration drainTimeout = Duration.ofSeconds(30);

  @Option(
      names = "--warm",
      paramLabel = "N",
      description = "Started idle nodes kept ready to hand out (default: ${DEFAULT-VALUE})")
  int warm = 0;

  @Option(
      names = "--node-lease-ttl",
      paramLabel = "DURATION",
      converter = Durations.class,
      description = "Lease TTL of the pool's nodes (default: ${DEFAULT-VALUE})")
  Duration nodeLeaseTtl = Duration.ofSeconds(5);

  @Option(
      names = "--pool-ca",
      paramLabel = "DIR",
      description = {
        "The cluster CA ('tideflow ca init'): each node the pool starts is issued a certificate of",
        "its own from it, renewed in place, so its links are mutual TLS and, on etcds://, its",
        "etcd user is pool-NAME. Needs --tls-dir with a coordinator's certificate."
      })
  Path caDir;

  @Option(
      names = "--pool-cert-validity",
      paramLabel = "DURATION",
      converter = Durations.class,
      description = "How long a pool node's certificate is valid (default: ${DEFAULT-VALUE})")
  Duration certValidity = NodeCertificates.DEFAULT_VALIDITY;

  @Option(
      names = "--pool-bind",
      paramLabel = "HOST",
      description =
          "Where the pool's nodes listen; beyond loopback needs --pool-ca (default: ${DEFAULT-VALUE})")
  String bind = NodeLinks.LOOPBACK.bindHost();

  @Option(
      names = "--pool-advertise",
      paramLabel = "HOST",
      description =
          "The host the pool's nodes are dialled at (default: the bind host, or for 0.0.0.0 this"
              + " machine's address)")
  String advertise;

  boolean enabled() {
    return pool != null;
  }

  /**
   * Checks the options.
   *
   * @throws IllegalArgumentException naming the option when the options do not make a pool
   */
  void validate() {
    if (min < 0 || max < Math.max(1, min)) {
      throw new IllegalArgumentException(
          "--min must be >= 0 and --max >= max(1, --min), were " + min + " and " + max);
    }
    if (nodeCpu <= 0 || nodeMemoryMib <= 0) {
      throw new IllegalArgumentException(
          "--node-cpu and --node-memory-mib must be > 0, were "
              + nodeCpu
              + " and "
              + nodeMemoryMib);
    }
    if (targetConcurrency() < 0 || warm < 0) {
      throw new IllegalArgumentException(
          "--target-concurrency and --warm must be >= 0, were "
              + targetConcurrency()
              + " and "
              + warm);
    }
    if (preset != null && !preset.equals("80-20")) {
      throw new IllegalArgumentException("--preset knows 80-20, was '" + preset + "'");
    }
  }

  private double targetConcurrency() {
    if (targetConcurrency != null) {
      return targetConcurrency;
    }
    return thresholds.isEmpty() && preset == null ? 8 : 0;
  }

  /** The threshold policy of --threshold and --preset, or null when neither is given. */
  PolicySpec.Threshold threshold() {
    if (preset != null && thresholds.isEmpty()) {
      return PolicySpec.Threshold.eightyTwenty();
    }
    if (thresholds.isEmpty()) {
      return null;
    }
    if (preset != null) {
      throw new IllegalArgumentException("give --preset or --threshold, not both");
    }
    Map<String, Double> high = new java.util.TreeMap<>();
    Map<String, Double> low = new java.util.TreeMap<>();
    for (String t : thresholds) {
      int eq = t.indexOf('=');
      String metric = eq < 0 ? "" : t.substring(0, eq).strip();
      if (!metric.equals("cpu") && !metric.equals("memory") && !metric.equals("network")) {
        throw new IllegalArgumentException(
            "--threshold takes cpu=, memory= or network=HIGH[:LOW], was '" + t + "'");
      }
      String[] bounds = t.substring(eq + 1).split(":", -1);
      try {
        high.put(metric, Double.parseDouble(bounds[0]));
        if (bounds.length > 1) {
          low.put(metric, Double.parseDouble(bounds[1]));
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--threshold " + t + ": HIGH and LOW must be numbers such as 0.8 and 0.2", e);
      }
      if (high.get(metric) > 1 || bounds.length > 2) {
        throw new IllegalArgumentException(
            "--threshold " + t + ": HIGH is a share in (0, 1], e.g. cpu=0.8:0.2");
      }
    }
    if (high.containsKey("network") && nodeNetwork <= 0) {
      throw new IllegalArgumentException(
          "--threshold network needs the nodes' network capacity: give --node-network, e.g. 125Mi");
    }
    try {
      return new PolicySpec.Threshold(high, low, thresholdSpan, thresholdStep);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--threshold: " + e.getMessage(), e);
    }
  }

  /**
   * How the pool's nodes listen and are reached: the coordinator's links {@code control} and, with
   * {@code --pool-ca}, certificates issued from the CA (to close with the pool).
   *
   * @throws IllegalArgumentException naming the option when they do not fit together
   */
  PoolLinks links(LinkSecurity control) {
    NodeCertificates certificates =
        caDir == null ? null : NodeCertificates.load(caDir, certValidity);
    try {
      return new PoolLinks(control, new NodeLinks(bind, advertise, certificates));
    } catch (RuntimeException e) {
      if (certificates != null) {
        certificates.close();
      }
      throw e;
    }
  }

  /**
   * The pool these options describe.
   *
   * @throws IllegalArgumentException naming the option when the options do not make a pool
   */
  PoolSpec spec() {
    validate();
    NodeTemplate template =
        new NodeTemplate(
            pool,
            Resources.of(nodeCpu, nodeMemoryMib << 20, nodeNetwork),
            Map.of(PoolConfig.POOL_LABEL, pool),
            nodeLeaseTtl);
    List<PolicySpec> policies = new ArrayList<>();
    policies.add(new PolicySpec.PendingDemand());
    PolicySpec.Threshold threshold = threshold();
    if (threshold != null) {
      policies.add(threshold);
    }
    if (targetConcurrency() > 0) {
      HpaBehavior behavior =
          HpaBehavior.defaults()
              .withScaleDown(
                  new HpaBehavior.Rules(
                      scaleDownWindow,
                      HpaBehavior.defaults().scaleDown().limits(),
                      HpaBehavior.defaults().scaleDown().select()));
      policies.add(
          new PolicySpec.TargetTracking(
              PoolAutoscaler.CONCURRENCY, targetConcurrency(), 0.1, behavior));
    }
    if (forecast != null) {
      if (targetConcurrency() <= 0) {
        throw new IllegalArgumentException(
            "--forecast sizes the pool at --target-concurrency: give one > 0");
      }
      try {
        policies.add(
            new PolicySpec.Predictive(
                PoolAutoscaler.CONCURRENCY, targetConcurrency(), forecastLead, forecast));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--forecast: " + e.getMessage(), e);
      }
    }
    List<ProviderFactory> kinds =
        providers == null || providers.isEmpty()
            ? List.of(ProviderKind.LOCAL_PROCESS)
            : List.copyOf(providers);
    // Clients report their waiting work within a second (ClientConfig's default) of seeing a node.
    return new PoolSpec(
        pool,
        template,
        kinds,
        policies,
        new PoolLimits(min, max, Duration.ZERO, Duration.ZERO, 2.0),
        interval,
        // Long enough for the scale-down stabilization window's recommendations.
        Collections.max(List.of(Duration.ofMinutes(10), scaleDownWindow)),
        drainTimeout,
        1_000,
        warm,
        Duration.ofSeconds(2),
        Schedules.parse(schedules));
  }
}
