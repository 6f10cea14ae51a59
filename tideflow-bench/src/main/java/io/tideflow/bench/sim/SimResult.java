package io.tideflow.bench.sim;

import java.util.List;

/**
 * What a simulation measured. Deterministic: the same configuration and seed give an equal result,
 * {@link #traceHash} (a hash of every event in order) included; wall-clock timings are kept apart,
 * in {@link Timing}.
 *
 * @param arrived tasks that arrived
 * @param completed tasks that finished
 * @param inSystem tasks running or waiting when the simulation ended
 * @param lost tasks neither completed nor in the system: 0 unless work is dropped
 * @param retried attempts placed again after their node died
 * @param placements placement decisions made (a waiting task tried again counts again)
 * @param underProvisionedSeconds simulated seconds in which work waited for a node with room
 * @param waitingTaskSeconds the sum over seconds of the tasks waiting then
 * @param nodeSeconds the sum over seconds of the nodes the pool paid for (starting, up, leaving)
 * @param demandCpuSeconds cpu-seconds the offered tasks asked for while the run lasted
 * @param servedCpuSeconds cpu-seconds the tasks held on nodes
 * @param scaleUps decisions that grew the pool
 * @param scaleDowns decisions that shrank it
 * @param directionChanges scale events whose direction differs from the one before
 * @param decisions reconciler steps
 * @param peakNodes the most nodes the pool had at once
 * @param nodesFailed nodes that died
 * @param launchedPrimary nodes the primary provider started
 * @param launchedSecondary nodes the secondary started while the primary was out
 * @param minutes one row per simulated minute, for the charts
 */
public record SimResult(
    long arrived,
    long completed,
    long inSystem,
    long lost,
    long retried,
    long placements,
    long underProvisionedSeconds,
    long waitingTaskSeconds,
    long nodeSeconds,
    double demandCpuSeconds,
    double servedCpuSeconds,
    int scaleUps,
    int scaleDowns,
    int directionChanges,
    int decisions,
    int peakNodes,
    int nodesFailed,
    int launchedPrimary,
    int launchedSecondary,
    long traceHash,
    List<Minute> minutes) {

  /**
   * One simulated minute: the offered rate, the pool's nodes and what waited, at its end.
   *
   * @param demandNodes nodes' worth of cpu the running and waiting tasks asked for
   * @param underSeconds seconds of the minute in which work waited
   * @param nodeSeconds node-seconds paid for in the minute
   * @param underSeconds seconds of the minute in which work waited
   * @param nodeSeconds node-seconds paid for in the minute
   */
  public record Minute(
      int minute,
      double rate,
      int nodes,
      int ready,
      int waiting,
      double demandNodes,
      int underSeconds,
      long nodeSeconds) {}

  /** Wall-clock costs of a run: not deterministic, so not part of the result. */
  public record Timing(
      long wallMillis,
      long decisionP50Nanos,
      long decisionP99Nanos,
      long decisionMaxNanos,
      long placementNanos) {}

  public double nodeHours() {
    return nodeSeconds / 3600.0;
  }

  /** The share of the asked-for cpu-seconds that ran when asked: 1 when nothing ever waited. */
  public double servedShare() {
    return demandCpuSeconds == 0 ? 1 : Math.min(1, servedCpuSeconds / demandCpuSeconds);
  }

  /** Direction changes per simulated hour. */
  public double flipsPerHour(double hours) {
    return directionChanges / hours;
  }
}
