package io.tideflow.runtime.provider;

/** Counts a provider's launch failures in a row and turns them into a {@link ProviderHealth}. */
final class HealthTracker {
  private final int unhealthyAfter;
  private int failures;
  private String detail = "no launch failed yet";

  HealthTracker(int unhealthyAfter) {
    if (unhealthyAfter <= 0) {
      throw new IllegalArgumentException("unhealthyAfter must be > 0, was " + unhealthyAfter);
    }
    this.unhealthyAfter = unhealthyAfter;
  }

  synchronized void success() {
    failures = 0;
    detail = "last launch succeeded";
  }

  synchronized void failure(String why) {
    failures++;
    detail = why;
  }

  synchronized ProviderHealth health() {
    return new ProviderHealth(failures < unhealthyAfter, failures, detail);
  }
}
