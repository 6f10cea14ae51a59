package io.tideflow.runtime.flow;

/**
 * What one process instance did since it started, as a reader saw it at one moment. Two snapshots
 * apart give rates and the busy / backpressured / idle split of the time between.
 *
 * @param instance {@code process#i}
 * @param received messages taken from its inputs
 * @param emitted messages put on its output channels (a broadcast counts once per receiver)
 * @param busyNanos time spent processing
 * @param backpressuredNanos time spent waiting for room downstream
 * @param idleNanos time spent waiting for input
 * @param queued messages waiting in its input channels
 * @param running started and not yet ended
 */
public record InstanceStats(
    String instance,
    long received,
    long emitted,
    long busyNanos,
    long backpressuredNanos,
    long idleNanos,
    int queued,
    boolean running) {}
