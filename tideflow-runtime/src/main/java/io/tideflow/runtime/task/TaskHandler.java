package io.tideflow.runtime.task;

/**
 * The code of a task, found on workers by name. Workers run the same application jar as the client,
 * so a handler registered under a name in one is there in the other.
 *
 * <p>Called on a virtual thread of the worker; may block. Must honour interruption: a worker that
 * loses its lease interrupts the handlers it runs.
 */
@FunctionalInterface
public interface TaskHandler {
  /** Runs the task on {@code payload}; what it returns is the task's result. */
  byte[] run(byte[] payload) throws Exception;
}
