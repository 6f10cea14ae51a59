package io.tideflow.runtime.task;

/**
 * A task that did not produce a result. {@link #kind()} says why, so callers can tell their own
 * mistakes (unknown handler, too large) from the cluster's (no node fits, attempts exhausted).
 */
public class TaskException extends RuntimeException {

  /** Why a task failed. */
  public enum Kind {
    /** The handler threw on the worker; the message carries what it said. */
    HANDLER_FAILED,
    /** No handler of that name on the worker. */
    UNKNOWN_HANDLER,
    /** Payload or result exceeded a size limit. */
    TOO_LARGE,
    /** The attempt ran past the task's timeout. */
    TIMED_OUT,
    /** The client's submit queue was full. */
    QUEUE_FULL,
    /** No node could take the task (the message says which filters rejected how many). */
    NO_NODE_FITS,
    /** Every attempt's node failed. */
    ATTEMPTS_EXHAUSTED,
    /** Choosing a node threw (a bug in a placement strategy or balancer); the message says what. */
    PLACEMENT_FAILED,
    /**
     * Workers kept turning the task back unrun (overloaded or draining) until the client's bound on
     * such retries ran out: the message says which bound, how often, and the last reason.
     */
    OVERLOADED,
    /** The client was closed before the task finished. */
    CLIENT_CLOSED
  }

  private final Kind kind;

  public TaskException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
