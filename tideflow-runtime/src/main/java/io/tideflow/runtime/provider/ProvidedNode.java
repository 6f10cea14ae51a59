package io.tideflow.runtime.provider;

import java.time.Instant;

/**
 * A node as its provider knows it.
 *
 * @param nodeId the id the node registers under
 * @param template the template it was started from
 * @param provider the provider that started it
 * @param status where it is in its provider's life cycle
 * @param since when it entered that status
 * @param error why it failed, empty otherwise
 */
public record ProvidedNode(
    String nodeId, String template, String provider, Status status, Instant since, String error) {

  /** A provided node's life cycle. */
  public enum Status {
    LAUNCHING,
    RUNNING,
    FAILED,
    TERMINATING
  }
}
