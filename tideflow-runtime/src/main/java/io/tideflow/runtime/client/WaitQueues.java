package io.tideflow.runtime.client;

import io.tideflow.core.model.PendingWork;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Where the client's tasks wait to be sent: {@code pending} until a worker has a free credit,
 * {@code parked} while no node could take them at all, and the turned-back ones in {@link
 * TurnBacks} until their back-off passes. The dispatch loop alone takes from the front of {@code
 * pending} and {@code parked}; any thread adds to them, and the deadline sweep and the close take
 * from anywhere in them, all through the concurrent deques.
 */
final class WaitQueues {
  final ConcurrentLinkedDeque<TaskAttempt> pending = new ConcurrentLinkedDeque<>();
  final ConcurrentLinkedDeque<TaskAttempt> parked = new ConcurrentLinkedDeque<>();
  final TurnBacks turnBacks;

  WaitQueues(TurnBacks turnBacks) {
    this.turnBacks = turnBacks;
  }

  void moveParkedToPending() {
    TaskAttempt t;
    while ((t = parked.pollFirst()) != null) {
      pending.addLast(t);
    }
  }

  /**
   * Takes each waiting attempt that {@code expired} accepts out of its queue and hands it to {@code
   * onExpired}; an attempt the dispatch loop took meanwhile is left to it.
   */
  void expire(Predicate<TaskAttempt> expired, Consumer<TaskAttempt> onExpired) {
    turnBacks.expire(expired, onExpired);
    for (ConcurrentLinkedDeque<TaskAttempt> queue : List.of(pending, parked)) {
      for (Iterator<TaskAttempt> it = queue.iterator(); it.hasNext(); ) {
        TaskAttempt t = it.next();
        if (expired.test(t) && queue.removeFirstOccurrence(t)) {
          onExpired.accept(t);
        }
      }
    }
  }

  /** Takes everything that waits (the client is closing). */
  List<TaskAttempt> takeAll() {
    List<TaskAttempt> all = new ArrayList<>(turnBacks.takeAll());
    for (ConcurrentLinkedDeque<TaskAttempt> q : List.of(pending, parked)) {
      TaskAttempt t;
      while ((t = q.pollFirst()) != null) {
        all.add(t);
      }
    }
    return all;
  }

  /** See {@link TideflowClient#pendingWork()}. */
  List<PendingWork> pendingWork() {
    // Every queue: parked work moves to pending whenever room may have freed, and back.
    List<TaskAttempt> all = new ArrayList<>(parked);
    all.addAll(pending);
    all.addAll(turnBacks.snapshot());
    return WaitingWork.summarize(all);
  }
}
