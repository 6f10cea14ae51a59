package io.tideflow.runtime.pool;

import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.autoscale.ScheduledBounds;
import io.tideflow.runtime.autoscale.PoolConfig;
import io.tideflow.runtime.provider.NodeTemplate;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

/**
 * What an autoscaled pool is, as a value: what {@link PoolSupervisor} runs while its coordinator
 * leads. The command line and the demo both build one.
 *
 * @param name the pool; its nodes carry {@value PoolConfig#POOL_LABEL}={@code name}
 * @param template what its nodes are
 * @param providers who starts its nodes, in priority order: when one fails to launch or turns
 *     unhealthy the next is used
 * @param policies what it follows; the largest wish wins
 * @param limits its bounds, cooldowns and growth cap
 * @param interval how often it decides
 * @param window how far back the metrics window reaches
 * @param drainTimeout how long a node being removed may finish its tasks
 * @param logSize decisions kept for {@code status} and the HTTP API
 * @param warm started idle nodes kept ready to hand out (0: none)
 * @param demandSettle how long after a node is READY clients may take to reflect it in the demand
 *     they report (a newer node still counts as starting for pending demand)
 * @param schedule floors and ceilings that hold at certain times, over {@code limits}
 */
public record PoolSpec(
    String name,
    NodeTemplate template,
    List<ProviderFactory> providers,
    List<PolicySpec> policies,
    PoolLimits limits,
    Duration interval,
    Duration window,
    Duration drainTimeout,
    int logSize,
    int warm,
    Duration demandSettle,
    ScheduledBounds schedule) {

  /** A pool whose bounds are {@code limits} at all times. */
  public PoolSpec(
      String name,
      NodeTemplate template,
      List<ProviderFactory> providers,
      List<PolicySpec> policies,
      PoolLimits limits,
      Duration interval,
      Duration window,
      Duration drainTimeout,
      int logSize,
      int warm,
      Duration demandSettle) {
    this(
        name,
        template,
        providers,
        policies,
        limits,
        interval,
        window,
        drainTimeout,
        logSize,
        warm,
        demandSettle,
        ScheduledBounds.none());
  }

  public PoolSpec {
    if (template == null || limits == null) {
      throw new IllegalArgumentException(
          "template and limits must not be null, were " + template + " and " + limits);
    }
    if (providers == null || providers.isEmpty()) {
      throw new IllegalArgumentException("providers must name at least one, was " + providers);
    }
    if (policies == null || policies.isEmpty()) {
      throw new IllegalArgumentException("policies must name at least one, was " + policies);
    }
    providers = List.copyOf(providers);
    policies = List.copyOf(policies);
    if (window == null || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be > 0, was " + window);
    }
    // Recommendations older than the window are dropped, so a longer stabilization window
    // would silently be cut to it.
    for (PolicySpec p : policies) {
      if (p instanceof PolicySpec.Threshold t && t.span().compareTo(window) > 0) {
        throw new IllegalArgumentException(
            "window must be at least the threshold policy's span ("
                + t.span()
                + "), was "
                + window);
      }
      if (p instanceof PolicySpec.TargetTracking t) {
        Duration longest =
            Collections.max(
                List.of(
                    t.behavior().scaleUp().stabilizationWindow(),
                    t.behavior().scaleDown().stabilizationWindow()));
        if (longest.compareTo(window) > 0) {
          throw new IllegalArgumentException(
              "window must be at least the longest stabilization window ("
                  + longest
                  + "), was "
                  + window);
        }
      }
    }
    // A worker refuses a drain of 0 ms, and a refused drain is taken for an unreachable node:
    // every removal would then skip the drain.
    if (drainTimeout == null || drainTimeout.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException("drainTimeout must be >= 1 ms, was " + drainTimeout);
    }
    if (warm < 0) {
      throw new IllegalArgumentException("warm must be >= 0, was " + warm);
    }
    if (schedule == null) {
      throw new IllegalArgumentException("schedule must not be null (ScheduledBounds.none())");
    }
    if (demandSettle == null || demandSettle.isNegative()) {
      throw new IllegalArgumentException("demandSettle must be >= 0, was " + demandSettle);
    }
    config(name, template, interval, window, drainTimeout, logSize); // validates the rest
  }

  /** The autoscaler's part of this spec. */
  public PoolConfig config() {
    return config(name, template, interval, window, drainTimeout, logSize);
  }

  private static PoolConfig config(
      String name,
      NodeTemplate template,
      Duration interval,
      Duration window,
      Duration drainTimeout,
      int logSize) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
    }
    if (interval == null) {
      throw new IllegalArgumentException("interval must not be null");
    }
    return new PoolConfig(name, template, interval, window, drainTimeout, logSize);
  }

  /** True when the pool follows work that waits for a node. */
  public boolean followsPendingDemand() {
    return policies.stream().anyMatch(p -> p instanceof PolicySpec.PendingDemand);
  }
}
