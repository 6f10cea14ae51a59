package io.tideflow.runtime.flow;

/**
 * A process that holds state across messages (a window, a running total, a source's position) and
 * can write it down and take it up again, so that an instance placed again after its node died goes
 * on where its last safe checkpoint left it instead of from nothing.
 *
 * <p>The runtime calls {@link #snapshot} on the instance's own thread between two messages (a
 * source: between two {@link #produce} turns), and keeps the state it returns before it lets the
 * inputs taken so far go from their senders' replay rings. An instance placed again calls {@link
 * #restore} once, after {@link #open} and before any message: what its inputs deliver next is what
 * followed that snapshot, so every input counts in the state once. What the instance wrote between
 * that snapshot and its node's death is written again (at least once downstream).
 *
 * <p>Its state is one whole, so the vertical scaler keeps the process's parallelism; state held by
 * key, split by key group, is a {@link KeyedStatefulProcess}'s, which may be rescaled.
 *
 * <p>A snapshot is at most {@link FlowStateStore#MAX_STATE_BYTES}; a larger one fails the flow,
 * naming the instance.
 */
public interface StatefulProcess extends FlowProcess {
  /** The instance's state now, as {@link #restore} takes it back. */
  byte[] snapshot() throws Exception;

  /** Takes up the state a former run of this instance wrote with {@link #snapshot}. */
  void restore(byte[] state) throws Exception;
}
