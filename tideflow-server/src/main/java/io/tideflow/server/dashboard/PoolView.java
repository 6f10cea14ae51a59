package io.tideflow.server.dashboard;

import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.runtime.pool.PoolSupervisor;
import java.util.List;

/**
 * What the dashboard shows of one autoscaled pool.
 *
 * @param size nodes the pool had at its last decision, -1 before its first
 * @param desired nodes its last decision asked for, -1 before its first
 * @param providers its providers' health, for people ("" while the pool does not run)
 * @param decisions its last decisions, oldest first, each with the policy and the reason
 */
public record PoolView(
    String name,
    int min,
    int max,
    int size,
    int desired,
    boolean running,
    String providers,
    List<DecisionRecord> decisions) {

  /** Decisions a view keeps: enough to read why the pool did or did not scale lately. */
  public static final int DECISIONS = 20;

  public PoolView {
    decisions = List.copyOf(decisions);
  }

  /** What {@code pool} shows now. */
  public static PoolView of(PoolSupervisor pool) {
    List<DecisionRecord> all = pool.decisions();
    List<DecisionRecord> last = all.subList(Math.max(0, all.size() - DECISIONS), all.size());
    DecisionRecord latest = last.isEmpty() ? null : last.get(last.size() - 1);
    return new PoolView(
        pool.spec().name(),
        pool.spec().limits().min(),
        pool.spec().limits().max(),
        latest == null ? -1 : latest.current(),
        latest == null ? -1 : latest.desired(),
        pool.running(),
        pool.providerHealth(),
        last);
  }
}
