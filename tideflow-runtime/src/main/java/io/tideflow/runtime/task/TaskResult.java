package io.tideflow.runtime.task;

/**
 * A finished task.
 *
 * @param output what the handler returned
 * @param nodeId the node whose attempt succeeded
 * @param attempts how many attempts it took (1 when the first succeeded)
 */
public record TaskResult(byte[] output, String nodeId, int attempts) {}
