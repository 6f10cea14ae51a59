package io.tideflow.cli;

import io.tideflow.core.model.Resources;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** What a node offers, as {@code --cpu --memory --network --resource} give it. */
final class CapacityOptions {
  @Option(
      names = "--cpu",
      paramLabel = "MILLICORES",
      description = "Cpu it offers (a worker: all cores unless told)")
  Long cpuMillis;

  @Option(
      names = "--memory",
      paramLabel = "SIZE",
      description = "Memory it offers, e.g. 4Gi (a worker: its JVM's maximum heap unless told)",
      converter = Sizes.class)
  Long memoryBytes;

  @Option(
      names = "--network",
      paramLabel = "SIZE",
      description = "Network bytes per second it offers, e.g. 125Mi (a worker: none unless told)",
      converter = Sizes.class)
  Long networkBytesPerSec;

  @Option(
      names = "--resource",
      paramLabel = "NAME=AMOUNT",
      description = "A custom resource it offers, e.g. gpu=2; repeatable")
  Map<String, Long> resources = new LinkedHashMap<>();

  /**
   * What a node offers: the options given, the defaults for the rest.
   *
   * @throws IllegalArgumentException for a custom resource named like a built-in one, or an amount
   *     below 1, naming it
   */
  Resources capacity(Resources defaults) {
    for (Map.Entry<String, Long> e : resources.entrySet()) {
      String name = e.getKey().trim();
      if (name.isEmpty() || name.equals("cpu") || name.equals("memory") || name.equals("network")) {
        throw new IllegalArgumentException(
            "--resource needs a name other than cpu, memory or network, was '" + name + "'");
      }
      if (e.getValue() < 1) {
        throw new IllegalArgumentException(
            "--resource " + name + " must be >= 1, was " + e.getValue());
      }
    }
    return new Resources(
        cpuMillis != null ? cpuMillis : defaults.cpuMillis(),
        memoryBytes != null ? memoryBytes : defaults.memoryBytes(),
        networkBytesPerSec != null ? networkBytesPerSec : defaults.networkBytesPerSec(),
        resources.isEmpty() ? defaults.custom() : resources);
  }
}
