package io.tideflow.bench.endtoend;

import java.lang.management.ManagementFactory;

/** Cores' worth of CPU this JVM uses from when it was started until {@link #cores()} is asked. */
final class ProcessCpu {
  private final long cpuNanos;
  private final long wallNanos;

  private ProcessCpu(long cpuNanos, long wallNanos) {
    this.cpuNanos = cpuNanos;
    this.wallNanos = wallNanos;
  }

  static ProcessCpu start() {
    return new ProcessCpu(cpuTime(), System.nanoTime());
  }

  /** The average since {@link #start()}; NaN when the JVM does not say. */
  double cores() {
    long cpu = cpuTime();
    long wall = System.nanoTime() - wallNanos;
    if (cpu < 0 || cpuNanos < 0 || wall <= 0) {
      return Double.NaN;
    }
    return (double) (cpu - cpuNanos) / wall;
  }

  private static long cpuTime() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }
}
