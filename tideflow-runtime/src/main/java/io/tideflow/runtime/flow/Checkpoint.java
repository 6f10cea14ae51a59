package io.tideflow.runtime.flow;

/**
 * Where an instance stood between two messages: how many it had taken from each input and written
 * to each output. Once every output has that many safe, so are those inputs: what the instance did
 * with them has reached the sinks, or is kept for replay by a node that is still alive.
 *
 * @param taken per input link, in the instance's input order
 * @param emitted per output link, in the instance's output order
 * @param state what a {@link StatefulProcess} held then, null for any other process: its inputs are
 *     safe only once this state is kept too
 */
record Checkpoint(long[] taken, long[] emitted, byte[] state) {}
