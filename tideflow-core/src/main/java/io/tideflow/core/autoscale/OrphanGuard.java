package io.tideflow.core.autoscale;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Whether a pool node whose parent (the coordinator that started it) is gone should go too: the
 * decision, on times given to it, with no I/O. A pool node outlives its coordinator so the next
 * leader can adopt it rather than start another; it must not outlive every coordinator, or a
 * cluster whose control plane is gone for good leaks processes.
 *
 * <p>The rule: while the parent lives, stay. Once it is gone, stay while some coordinator other
 * than the one that led when this node started leads (its fencing token differs: a successor, or
 * the same coordinator after a restart); go once {@link #GRACE} has passed since the parent went
 * and since such a leader was last seen. A store that cannot be read shows no leader, so a node cut
 * off from everything after its parent died goes after the grace as well. A node of no pool goes
 * with its parent at once: no one would adopt it.
 */
public final class OrphanGuard {
  /** How long a pool node waits for a coordinator to lead after its own parent is gone. */
  public static final Duration GRACE = Duration.ofSeconds(60);

  private final boolean pooled;
  private final OptionalLong startLeader;
  private long parentGoneNanos = -1;
  private long lastLedNanos = -1;

  /**
   * @param pooled whether the node belongs to a pool (a new leader adopts only those)
   * @param startLeader the fencing token of the coordinator leading when the node started, if any
   */
  public OrphanGuard(boolean pooled, OptionalLong startLeader) {
    this.pooled = pooled;
    this.startLeader = startLeader;
  }

  /**
   * One look, at {@code nowNanos}: whether the parent lives and who leads now ({@code leader} empty
   * when none does or the store could not be read). True when the node should exit.
   */
  public boolean shouldExit(long nowNanos, boolean parentAlive, OptionalLong leader) {
    if (parentAlive) {
      parentGoneNanos = -1;
      return false;
    }
    if (!pooled) {
      return true;
    }
    if (parentGoneNanos < 0) {
      parentGoneNanos = nowNanos;
    }
    if (leader.isPresent() && !leader.equals(startLeader)) {
      lastLedNanos = nowNanos;
    }
    long since = Math.max(parentGoneNanos, lastLedNanos);
    return nowNanos - since >= GRACE.toNanos();
  }
}
