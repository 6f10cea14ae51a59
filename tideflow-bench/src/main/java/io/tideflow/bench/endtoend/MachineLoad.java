package io.tideflow.bench.endtoend;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How busy the rest of the machine was while a backend ran: CPU time the whole machine spent (from
 * {@code /proc/stat}) minus what this JVM spent, over the wall time. On a shared 2-core machine
 * another process's build can halve a backend's figures; the report says so instead of leaving the
 * reader to guess. Linux only; elsewhere {@link #otherCores()} is NaN.
 */
final class MachineLoad {

  /** {@code /proc/stat} counts in USER_HZ ticks, 100 per second on every mainstream Linux. */
  private static final double TICKS_PER_SECOND = 100.0;

  private static final Path PROC_STAT = Path.of("/proc/stat");

  private final long startNanos;
  private final long startBusyTicks;
  private final long startProcessCpuNanos;

  private MachineLoad(long startNanos, long startBusyTicks, long startProcessCpuNanos) {
    this.startNanos = startNanos;
    this.startBusyTicks = startBusyTicks;
    this.startProcessCpuNanos = startProcessCpuNanos;
  }

  /** Starts measuring now. */
  static MachineLoad start() {
    return new MachineLoad(System.nanoTime(), busyTicks(), processCpuNanos());
  }

  /**
   * Cores' worth of CPU that other processes used on average since {@link #start()}; NaN when the
   * machine's or this process's CPU time is not available.
   */
  double otherCores() {
    long busy = busyTicks();
    long process = processCpuNanos();
    if (busy < 0 || startBusyTicks < 0 || process < 0 || startProcessCpuNanos < 0) {
      return Double.NaN;
    }
    double wallSeconds = (System.nanoTime() - startNanos) / 1e9;
    double machineSeconds = (busy - startBusyTicks) / TICKS_PER_SECOND;
    double ownSeconds = (process - startProcessCpuNanos) / 1e9;
    // Tick granularity can make a quiet machine look a hair below zero.
    return Math.max(0, (machineSeconds - ownSeconds) / wallSeconds);
  }

  /** Non-idle ticks of all CPUs since boot, or -1 where /proc/stat is not there. */
  private static long busyTicks() {
    if (!Files.isReadable(PROC_STAT)) {
      return -1;
    }
    try {
      List<String> lines = Files.readAllLines(PROC_STAT);
      // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; guest time is
      // already inside user, so it is not added again.
      String[] fields = lines.get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i <= Math.min(8, fields.length - 1); i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(fields[i]);
        }
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      // The load figure is decoration for the report; without it the row says "n/a".
      System.err.println("warning: cannot read " + PROC_STAT + ": " + e);
      return -1;
    }
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }
}
