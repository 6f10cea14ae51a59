package io.tideflow.runtime.flow;

/** A flow stopped because one of its instances failed; carries which one and why. */
public final class FlowFailedException extends RuntimeException {
  private final String flow;
  private final String instance;

  public FlowFailedException(String flow, String instance, Throwable cause) {
    super("flow " + flow + ": instance " + instance + " failed: " + cause, cause);
    this.flow = flow;
    this.instance = instance;
  }

  public String flow() {
    return flow;
  }

  /** {@code process#i}. */
  public String instance() {
    return instance;
  }
}
