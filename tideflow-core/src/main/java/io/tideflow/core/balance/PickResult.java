package io.tideflow.core.balance;

/** What a {@link Picker} chose: an endpoint, or why there is none. */
public sealed interface PickResult {

  /** Send to {@code endpoint}; report the outcome with {@link Balancer#onResult} exactly once. */
  record Chosen(Endpoint endpoint) implements PickResult {}

  /**
   * No endpoint can be used now; nothing was counted in flight, so report nothing.
   *
   * @param reason a sentence a user can act on
   */
  record NoEndpoint(String reason) implements PickResult {}
}
