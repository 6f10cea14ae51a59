package io.tideflow.cli;

import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.autoscale.ScaleRequest;
import io.tideflow.runtime.autoscale.DecisionLogs;
import io.tideflow.runtime.autoscale.ScaleRequests;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.StoreCalls;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Asks a pool's leader to hold the pool at a size for a while, or ends such a request. */
@Command(
    name = "scale",
    mixinStandardHelpOptions = true,
    description = {
      "Holds an autoscaled pool at a size for a while, over what its policies want: --to N, or",
      "--factor F times the size of its last decision. The pool's bounds, growth cap and",
      "cooldowns still apply; every decision says it follows the request, and when --hold runs",
      "out (or --clear ends it) the policies decide again. 'status' shows the decisions."
    })
final class ScaleCommand implements Callable<Integer> {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @Parameters(index = "0", paramLabel = "POOL", description = "The pool")
  String pool;

  @Mixin StoreOption store;

  static final class Size {
    @Option(names = "--to", paramLabel = "N", description = "The size to hold")
    Integer to;

    @Option(names = "--factor", paramLabel = "F", description = "Times the pool's current size")
    Double factor;

    @Option(names = "--clear", description = "End the pool's request now")
    boolean clear;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Size size;

  @Option(
      names = "--hold",
      paramLabel = "DURATION",
      converter = Durations.class,
      description = "How long the size holds (default: ${DEFAULT-VALUE})")
  Duration hold = Duration.ofMinutes(10);

  @Option(names = "--by", description = "Who asks, for the decision log (default: $USER)")
  String by = System.getenv().getOrDefault("USER", "an operator");

  @Override
  public Integer call() {
    try (ClusterStore s = store.open()) {
      String key = ClusterKeys.scale(pool);
      if (size.clear) {
        boolean deleted = StoreCalls.await(s.delete(key), TIMEOUT, "delete scale request");
        System.out.println(
            deleted
                ? "pool " + pool + ": request ended, its policies decide again"
                : "pool " + pool + " has no scale request");
        return ExitCodes.OK;
      }
      int to;
      double factor = 0;
      if (size.to != null) {
        to = size.to;
      } else {
        factor = size.factor;
        int current = current(s);
        if (current < 0) {
          System.err.println(
              "tideflow scale: pool "
                  + pool
                  + " has made no decision yet (is it running?); use --to N");
          return ExitCodes.USAGE;
        }
        to = ScaleRequest.resolve(factor, current);
      }
      ScaleRequest request;
      try {
        request = new ScaleRequest(to, factor, Instant.now(), hold, by);
      } catch (IllegalArgumentException e) {
        System.err.println("tideflow scale: " + e.getMessage());
        return ExitCodes.USAGE;
      }
      StoreCalls.await(
          s.put(key, ScaleRequests.encode(request), 0), TIMEOUT, "write scale request");
      System.out.println(
          "pool "
              + pool
              + ": asked to hold "
              + to
              + " node(s) until "
              + request.until()
              + " (within its bounds); 'tideflow status' shows its decisions");
      return ExitCodes.OK;
    } catch (IllegalArgumentException e) {
      System.err.println("tideflow scale: " + e.getMessage());
      return ExitCodes.USAGE;
    }
  }

  /** The pool's size at its last decision, -1 when it has none. */
  private int current(ClusterStore s) {
    Optional<KeyValue> log =
        StoreCalls.await(s.get(ClusterKeys.autoscaler(pool)), TIMEOUT, "read decision log");
    if (log.isEmpty()) {
      return -1;
    }
    List<DecisionRecord> decisions = DecisionLogs.decode(log.get().value());
    return decisions.isEmpty() ? -1 : decisions.getLast().current();
  }
}
