package io.tideflow.cli;

import io.tideflow.core.balance.Balancer;
import io.tideflow.core.balance.BoundedLoadHashBalancer;
import io.tideflow.core.balance.LeastLoadedBalancer;
import io.tideflow.core.balance.OutlierEjection;
import io.tideflow.core.balance.PeakEwmaBalancer;
import io.tideflow.core.balance.RoundRobinBalancer;
import io.tideflow.core.placement.LeastLoadedPlacement;
import io.tideflow.core.placement.PlacementPolicy;
import io.tideflow.core.placement.PlacementStrategy;
import io.tideflow.core.placement.PolicyPlacement;
import io.tideflow.runtime.client.ClientConfig;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** How a client command picks workers: the balancer for plain tasks, the placement for the rest. */
final class ClientOptions {
  @Option(
      names = "--balancer",
      paramLabel = "NAME",
      description = {
        "Picks the worker of a task without constraints: least-loaded, round-robin, peak-ewma",
        "(latency x in flight, as Finagle), bounded-load-hash (consistent hashing with bounded",
        "loads); by default the placement picks every task"
      })
  String balancer;

  @Option(
      names = "--placement",
      paramLabel = "NAME",
      description = {
        "Places a task with a demand or constraints: least-loaded (default), spread, bin-pack,",
        "balanced"
      })
  String placement = "least-loaded";

  /**
   * {@code base} with the chosen balancer and placement.
   *
   * @throws IllegalArgumentException naming the option and the names it takes
   */
  ClientConfig apply(ClientConfig base) {
    ClientConfig c = base.withPlacement(placement());
    return balancer == null ? c : c.withBalancer(balancer());
  }

  /** The chosen balancer; null when none is. */
  Supplier<Balancer> balancer() {
    if (balancer == null) {
      return null;
    }
    return switch (balancer) {
      case "least-loaded" -> () -> new LeastLoadedBalancer(OutlierEjection.DEFAULT);
      case "round-robin" -> () -> new RoundRobinBalancer(OutlierEjection.DEFAULT);
      case "peak-ewma" ->
          () -> new PeakEwmaBalancer(OutlierEjection.DEFAULT, 10_000_000_000L, 1_000_000L);
      case "bounded-load-hash" ->
          () -> new BoundedLoadHashBalancer(OutlierEjection.DEFAULT, 0.25, 100);
      default ->
          throw new IllegalArgumentException(
              "--balancer takes least-loaded, round-robin, peak-ewma or bounded-load-hash, was '"
                  + balancer
                  + "'");
    };
  }

  PlacementStrategy placement() {
    return switch (placement) {
      case "least-loaded" -> new LeastLoadedPlacement();
      case "spread" -> new PolicyPlacement(PlacementPolicy.spread());
      case "bin-pack" -> new PolicyPlacement(PlacementPolicy.binPack());
      case "balanced" -> new PolicyPlacement(PlacementPolicy.balanced());
      default ->
          throw new IllegalArgumentException(
              "--placement takes least-loaded, spread, bin-pack or balanced, was '"
                  + placement
                  + "'");
    };
  }
}
