package io.tideflow.cache.remote;

/**
 * What the remote tier has done since it was made.
 *
 * @param calls calls (or batches) Redis answered
 * @param callNanos the time those took, summed
 * @param timeouts calls given up after the command timeout
 * @param errors calls that failed (connection refused or lost, error replies)
 * @param rejected calls not sent because the circuit breaker was open
 */
public record RemoteStats(long calls, long callNanos, long timeouts, long errors, long rejected) {}
