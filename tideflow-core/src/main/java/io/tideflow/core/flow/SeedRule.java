package io.tideflow.core.flow;

/**
 * The baseline DS2 is measured against: a process's parallelism follows its load, the fraction of
 * its time its instances are busy, one rule per process: above the target it becomes {@code
 * ceil(parallelism × load / target)} (at most {@code max}); under half the target it halves. Each
 * process is judged on its own load, so a bottleneck is found one step at a time, and a process
 * held back by backpressure looks idle. Pure.
 */
public final class SeedRule {
  private SeedRule() {}

  /**
   * @param load busy time over wall time of the instances, 0 to 1
   * @param target the load to aim for, in (0, 1]
   */
  public static int decide(int parallelism, double load, double target, int max) {
    if (!(target > 0 && target <= 1) || !(load >= 0)) {
      throw new IllegalArgumentException(
          "target must be in (0, 1] and load >= 0, were " + target + " and " + load);
    }
    if (load > target) {
      return (int) Math.min(max, Math.ceil(parallelism * load / target));
    }
    if (load < target / 2) {
      return Math.max(1, parallelism / 2);
    }
    return parallelism;
  }
}
