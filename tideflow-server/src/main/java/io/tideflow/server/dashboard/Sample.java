package io.tideflow.server.dashboard;

/**
 * One point of the dashboard's charts.
 *
 * @param atMillis when it was taken
 * @param ready nodes READY
 * @param others nodes neither READY nor GONE (starting, draining, suspect)
 * @param gone nodes GONE and still listed
 * @param inFlight tasks running on the nodes, from their reports
 * @param queued tasks queued on the nodes, from their reports
 * @param completedPerSecond tasks the nodes completed per second since the last sample
 * @param p50Millis median task latency since the last sample, NaN when unknown
 * @param p99Millis 99th percentile of task latency since the last sample, NaN when unknown
 * @param poolSize nodes the pools had at their last decisions, summed
 * @param poolDesired nodes the pools' last decisions asked for, summed
 */
record Sample(
    long atMillis,
    int ready,
    int others,
    int gone,
    int inFlight,
    int queued,
    double completedPerSecond,
    double p50Millis,
    double p99Millis,
    int poolSize,
    int poolDesired) {}
