package io.tideflow.core.autoscale;

import io.tideflow.core.model.Resources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Scales for work that waits because no node can take it, as the Cluster Autoscaler and Ray do:
 * bin-packs the waiting tasks' demands, largest first, into new nodes of the pool's template
 * (first-fit decreasing) and asks for that many more nodes. A task larger than the template can
 * never fit; it is named in the reason instead of growing the pool for nothing. Nodes already
 * starting ({@link PoolState#starting()}) count as new nodes, so demand that waits while its nodes
 * come up is not asked for twice. The waiting demands come in with the pool ({@link
 * PoolState#waiting()}), so the policy is as pure as the others.
 */
public final class PendingDemandPolicy implements ScalingPolicy {
  private final Resources template;
  private final boolean abstainWhenNothingWaits;

  /**
   * Keeps the pool's size when nothing waits: used alone, the pool only grows.
   *
   * @param template the capacity of one new node of this pool
   */
  public PendingDemandPolicy(Resources template) {
    this(template, false);
  }

  private PendingDemandPolicy(Resources template, boolean abstain) {
    if (template.equals(Resources.ZERO)) {
      throw new IllegalArgumentException("template must offer some capacity, was " + template);
    }
    this.template = template;
    this.abstainWhenNothingWaits = abstain;
  }

  /**
   * For use beside a utilization policy (target tracking, thresholds): when nothing waits it
   * {@linkplain ScalingDecision#abstain abstains}, so the {@link Autoscaler} leaves shrinking to
   * the other policy — as the Cluster Autoscaler scales up for pending pods and down by
   * utilization.
   */
  public static PendingDemandPolicy besideUtilization(Resources template) {
    return new PendingDemandPolicy(template, true);
  }

  @Override
  public String name() {
    return "pending-demand";
  }

  @Override
  public ScalingDecision decide(MetricsWindow window, PoolState pool, Instant now) {
    List<Resources> waiting = pool.waiting();
    int current = pool.current();
    if (waiting.isEmpty()) {
      return abstainWhenNothingWaits
          ? ScalingDecision.abstain("no task waits for a node")
          : ScalingDecision.keep(current, "no task waits for a node");
    }
    List<Resources> fitting = new ArrayList<>();
    int tooBig = 0;
    for (Resources r : waiting) {
      if (r.fitsIn(template)) {
        fitting.add(r);
      } else {
        tooBig++;
      }
    }
    int needed = nodesFor(fitting, template);
    int nodes = Math.max(0, needed - pool.starting());
    String reason =
        waiting.size()
            + " task(s) wait: "
            + needed
            + " new node(s) of "
            + template
            + " would place "
            + fitting.size();
    if (pool.starting() > 0) {
      reason += ", " + Math.min(needed, pool.starting()) + " of them already starting";
    }
    if (tooBig > 0) {
      reason += "; " + tooBig + " fit no node of this template";
    }
    return new ScalingDecision(current + nodes, reason);
  }

  /** Nodes of {@code template} that first-fit decreasing needs to hold every demand. */
  public static int nodesFor(List<Resources> demands, Resources template) {
    List<Resources> sorted = new ArrayList<>(demands);
    sorted.sort(Comparator.comparingDouble((Resources r) -> dominantShare(r, template)).reversed());
    List<Resources> free = new ArrayList<>();
    for (Resources d : sorted) {
      boolean placed = false;
      for (int i = 0; i < free.size() && !placed; i++) {
        if (d.fitsIn(free.get(i))) {
          free.set(i, free.get(i).subtract(d));
          placed = true;
        }
      }
      if (!placed) {
        free.add(template.subtract(d));
      }
    }
    return free.size();
  }

  /** The largest share of the template that {@code r} takes of any one resource. */
  static double dominantShare(Resources r, Resources template) {
    double share = 0;
    share = Math.max(share, ratio(r.cpuMillis(), template.cpuMillis()));
    share = Math.max(share, ratio(r.memoryBytes(), template.memoryBytes()));
    share = Math.max(share, ratio(r.networkBytesPerSec(), template.networkBytesPerSec()));
    for (var e : r.custom().entrySet()) {
      share = Math.max(share, ratio(e.getValue(), template.custom(e.getKey())));
    }
    return share;
  }

  private static double ratio(long amount, long capacity) {
    return capacity == 0 ? (amount == 0 ? 0 : Double.MAX_VALUE) : (double) amount / capacity;
  }
}
