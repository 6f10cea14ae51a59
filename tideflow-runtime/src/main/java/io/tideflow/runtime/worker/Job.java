package io.tideflow.runtime.worker;

import io.tideflow.runtime.task.TaskHandler;
import io.tideflow.runtime.transport.proto.ResultMessage;
import io.tideflow.runtime.transport.proto.TaskMessage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** One task on its way through a {@link TaskRunner}; answered exactly once. */
final class Job {
  /** A job's deadline when its task has no timeout. */
  static final long NO_DEADLINE = Long.MAX_VALUE;

  final TaskMessage task;
  final TaskHandler handler;
  final Consumer<ResultMessage> reply;

  /** The clock's millis after which the task is past its timeout; {@link #NO_DEADLINE} for none. */
  final long deadlineMillis;

  /** Orders jobs of one deadline, so the deadline-ordered sets hold each job apart. */
  final long seq;

  private final AtomicBoolean answered = new AtomicBoolean();

  /** The thread running the handler; guarded by this job's monitor. */
  private Thread thread;

  Job(
      TaskMessage task,
      TaskHandler handler,
      Consumer<ResultMessage> reply,
      long deadlineMillis,
      long seq) {
    this.task = task;
    this.handler = handler;
    this.reply = reply;
    this.deadlineMillis = deadlineMillis;
    this.seq = seq;
  }

  boolean hasDeadline() {
    return deadlineMillis != NO_DEADLINE;
  }

  /** Past its deadline at {@code nowMillis}; a task exactly at its deadline still has time. */
  boolean overdue(long nowMillis) {
    return nowMillis > deadlineMillis;
  }

  /** Answers with {@code r} unless answered already; true when this call answered. */
  boolean answer(ResultMessage r) {
    if (answered.compareAndSet(false, true)) {
      reply.accept(r);
      return true;
    }
    return false;
  }

  synchronized void bind(Thread t) {
    thread = t;
  }

  /** Interrupts the handler's thread if it still runs this job. */
  synchronized void interrupt() {
    if (thread != null) {
      thread.interrupt();
    }
  }
}
