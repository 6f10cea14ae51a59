package io.tideflow.core.model;

/**
 * What a node said of its load in its last report.
 *
 * @param inFlight tasks running now
 * @param queued tasks accepted and waiting for a slot
 * @param completed tasks completed since the node started
 * @param cpu process cpu load, 0..1 ({@code -1} when the platform does not say)
 * @param heapUsedBytes heap in use
 * @param heapMaxBytes heap limit
 * @param reportedAtMillis when the node made the report, epoch millis of its own clock
 * @param networkBytesPerSec the task bytes it took in and sent out per second since its last report
 */
public record LoadReport(
    int inFlight,
    int queued,
    long completed,
    double cpu,
    long heapUsedBytes,
    long heapMaxBytes,
    long reportedAtMillis,
    long networkBytesPerSec) {

  public static final LoadReport NONE = new LoadReport(0, 0, 0, -1, 0, 0, 0);

  /** A report that says nothing of the network. */
  public LoadReport(
      int inFlight,
      int queued,
      long completed,
      double cpu,
      long heapUsedBytes,
      long heapMaxBytes,
      long reportedAtMillis) {
    this(inFlight, queued, completed, cpu, heapUsedBytes, heapMaxBytes, reportedAtMillis, 0);
  }

  public LoadReport {
    Checks.nonNegative("inFlight", inFlight);
    Checks.nonNegative("queued", queued);
    Checks.nonNegative("completed", completed);
    if (!(cpu == -1 || (cpu >= 0 && cpu <= 1))) {
      throw new IllegalArgumentException("cpu must be in [0, 1] or -1, was " + cpu);
    }
    Checks.nonNegative("heapUsedBytes", heapUsedBytes);
    Checks.nonNegative("heapMaxBytes", heapMaxBytes);
    Checks.nonNegative("reportedAtMillis", reportedAtMillis);
    Checks.nonNegative("networkBytesPerSec", networkBytesPerSec);
  }
}
