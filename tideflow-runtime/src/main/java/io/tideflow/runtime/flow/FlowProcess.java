package io.tideflow.runtime.flow;

/**
 * What one instance of a flow's process runs. The runtime makes one object per instance (from the
 * {@link FlowProcesses} entry the process's type names) and calls it from that instance's own
 * thread only, so an implementation needs no synchronisation for its own state.
 *
 * <p>Lifecycle: {@link #open} once; then, for a source (a process without inputs), {@link #produce}
 * until it returns false, or for any other process {@link #onMessage} for each message in the order
 * each channel delivered them; then {@link #finish} once every input has ended (a source: once it
 * has produced everything), after which the instance's outputs end; {@link #close} last, always,
 * also when the instance failed or the flow was stopped. An exception from any of them fails the
 * flow and names the instance.
 */
public interface FlowProcess {
  /** Called first, with where the instance sits and its outputs. */
  default void open(ProcessContext context) throws Exception {}

  /**
   * A source's turn: emit some messages (a batch, not everything: the runtime checks between turns
   * whether the flow is stopping) and say whether more will come.
   *
   * @return false once the source has nothing more, ever
   */
  default boolean produce() throws Exception {
    throw new UnsupportedOperationException(getClass().getName() + " is not a source");
  }

  /** A message that arrived on the input port {@code port}. */
  default void onMessage(String port, Message message) throws Exception {
    throw new UnsupportedOperationException(getClass().getName() + " takes no input");
  }

  /** Every input has ended: emit what is still held (a last window, a total). */
  default void finish() throws Exception {}

  /** Releases what {@link #open} took. */
  default void close() throws Exception {}
}
