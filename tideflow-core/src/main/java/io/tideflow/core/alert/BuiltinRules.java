package io.tideflow.core.alert;

import java.time.Duration;
import java.util.List;

/**
 * The rules a cluster alerts on unless told otherwise, over the metrics its coordinators, clients
 * and flows export: a node lost, a pool at its ceiling with work waiting, tasks failing, a flow
 * held back by backpressure, the store unreachable.
 */
public final class BuiltinRules {
  private BuiltinRules() {}

  /**
   * A node left the registry without being drained (it died, hung past its lease, or was cut off);
   * firing for ten minutes after the last such loss.
   */
  public static final AlertRule NODE_LOST =
      AlertRule.of(
          "TideflowNodeLost",
          "increase(tideflow_coordinator_nodes_lost_total[10m]) > 0",
          Severity.WARNING,
          "{{ $value }} node(s) left the cluster without being drained in the last 10 minutes");

  /** A pool holds its ceiling of nodes and tasks still wait for a node of its kind. */
  public static final AlertRule POOL_AT_MAX =
      AlertRule.of(
              "TideflowPoolAtMaxWithWorkWaiting",
              "tideflow_pool_at_max == 1 and tideflow_pool_waiting_tasks > 0",
              Severity.WARNING,
              "pool {{ $labels.pool }} is at its maximum size and tasks wait for a node: raise"
                  + " its --max or add capacity")
          .withFor(Duration.ofMinutes(2));

  /**
   * Tasks fail more than once every ten seconds, over five minutes, summed over every client: the
   * leader exports each client's counts as {@code tideflow_cluster_tasks_*}.
   */
  public static final AlertRule TASK_FAILURES =
      AlertRule.of(
              "TideflowTaskFailures",
              "sum(rate(tideflow_cluster_tasks_failed_total[5m])) > 0.1",
              Severity.WARNING,
              "tasks fail at {{ $value }} per second")
          .withFor(Duration.ofMinutes(1));

  /** A flow's instances spend half their time held back by the ones after them. */
  public static final AlertRule BACKPRESSURE =
      AlertRule.of(
              "TideflowFlowBackpressured",
              "tideflow_flow_backpressured > 0",
              Severity.WARNING,
              "flow {{ $labels.flow }}: {{ $value }} instance(s) held back by backpressure")
          .withFor(Duration.ofMinutes(2))
          .withKeepFiringFor(Duration.ofMinutes(1));

  /** The leading coordinator's watch of the store keeps failing. */
  public static final AlertRule STORE_UNREACHABLE =
      AlertRule.of(
              "TideflowStoreUnreachable",
              "min(tideflow_membership_watch_healthy) == 0",
              Severity.CRITICAL,
              "the cluster store cannot be watched: membership and leases are not followed")
          .withFor(Duration.ofSeconds(30));

  /** All of them, in the order above. */
  public static List<AlertRule> all() {
    return List.of(NODE_LOST, POOL_AT_MAX, TASK_FAILURES, BACKPRESSURE, STORE_UNREACHABLE);
  }
}
