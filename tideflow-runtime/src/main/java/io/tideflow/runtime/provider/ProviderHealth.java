package io.tideflow.runtime.provider;

/**
 * Whether a provider succeeds in launching nodes.
 *
 * @param healthy false after {@code consecutiveFailures} launch failures in a row past the
 *     provider's bound, until a launch succeeds again
 * @param consecutiveFailures launch failures since the last success
 * @param detail the last failure, or why it is healthy
 */
public record ProviderHealth(boolean healthy, int consecutiveFailures, String detail) {}
