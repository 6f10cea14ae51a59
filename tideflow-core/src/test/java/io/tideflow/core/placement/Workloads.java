package io.tideflow.core.placement;

import io.tideflow.core.model.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic workload mixes for packing tests: the same seed gives the same demands. */
final class Workloads {
  private Workloads() {}

  static final long MIB = 1L << 20;
  static final long NODE_CPU = 4000;
  static final long NODE_MEM = 16L << 30;

  enum Mix {
    /** cpu and memory each uniform over [2.5%, 37.5%] of a node */
    UNIFORM,
    /** 70% small (≤ 10% of a node), 30% large (35–60% of a node) */
    BIMODAL,
    /** Pareto (α = 1.5) sizes from 2.5% of a node, clipped at 75%, memory following cpu */
    HEAVY_TAILED
  }

  static List<Resources> generate(Mix mix, int count, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Resources> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(
          switch (mix) {
            case UNIFORM -> Resources.of(r.nextLong(100, 1501), r.nextLong(400, 6145) * MIB);
            case BIMODAL ->
                r.nextDouble() < 0.7
                    ? Resources.of(r.nextLong(50, 401), r.nextLong(128, 1639) * MIB)
                    : Resources.of(r.nextLong(1400, 2401), r.nextLong(5734, 9831) * MIB);
            case HEAVY_TAILED -> {
              double size = Math.min(0.75, 0.025 / Math.pow(1 - r.nextDouble(), 1 / 1.5));
              double memShare = Math.min(0.75, size * r.nextDouble(0.6, 1.4));
              yield Resources.of(
                  Math.max(1, (long) (size * NODE_CPU)), Math.max(1, (long) (memShare * NODE_MEM)));
            }
          });
    }
    return out;
  }

  /**
   * Largest first by the larger of a demand's cpu and memory shares of a node, as FFD orders items.
   */
  static List<Resources> decreasing(List<Resources> demands) {
    List<Resources> sorted = new ArrayList<>(demands);
    sorted.sort(Comparator.comparingDouble(Workloads::size).reversed());
    return sorted;
  }

  static double size(Resources r) {
    return Math.max((double) r.cpuMillis() / NODE_CPU, (double) r.memoryBytes() / NODE_MEM);
  }
}
