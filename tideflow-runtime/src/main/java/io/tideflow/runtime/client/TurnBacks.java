package io.tideflow.runtime.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Tasks that workers turned back unrun, and the bounds on placing them again ({@link
 * TurnBackPolicy}): how often one task may be turned back, the retry budget, and the back-off
 * before a task turned back for overload is placed again. Those wait here, ordered by when they are
 * due; the client's timer moves the due ones back to the dispatcher's queue.
 *
 * <p>Any thread; the waiting tasks are guarded by a lock used for nothing else and never held while
 * a task is handed on. Counted as {@code tideflow.client.tasks.turned_back} (tag {@code reason})
 * and {@code tideflow.client.tasks.turn_back_refused} (tag {@code bound}: {@code budget} or {@code
 * limit}).
 */
final class TurnBacks {
  /** Why a worker turned a task back. */
  enum Cause {
    OVERLOADED,
    NO_CREDIT,
    DRAINING;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final TurnBackPolicy policy;
  private final RetryBudget budget;
  private final PriorityQueue<TaskAttempt> delayed =
      new PriorityQueue<>(Comparator.comparingLong(t -> t.retryAtNanos));
  private final Map<Cause, Counter> turnedBack = new EnumMap<>(Cause.class);
  private final Counter refusedByBudget;
  private final Counter refusedByLimit;

  TurnBacks(TurnBackPolicy policy, MeterRegistry metrics) {
    this.policy = policy;
    this.budget = new RetryBudget(policy.budgetRatio(), policy.budgetBurst());
    for (Cause c : Cause.values()) {
      turnedBack.put(
          c,
          Counter.builder("tideflow.client.tasks.turned_back")
              .tag("reason", c.tag())
              .description("Tasks a worker turned back unrun")
              .register(metrics));
    }
    this.refusedByBudget = refused(metrics, "budget");
    this.refusedByLimit = refused(metrics, "limit");
  }

  private static Counter refused(MeterRegistry metrics, String bound) {
    return Counter.builder("tideflow.client.tasks.turn_back_refused")
        .tag("bound", bound)
        .description("Turned-back tasks failed instead of placed again: a bound ran out")
        .register(metrics);
  }

  /** A task was submitted: it adds its share to the retry budget. */
  void submitted() {
    budget.deposit();
  }

  /**
   * Counts a turn-back of {@code t} and decides whether it may be placed again: null when it may,
   * else why not, as the end of a sentence starting "task ...". Drains are not charged to the
   * budget (see {@link TurnBackPolicy}).
   */
  String refuse(TaskAttempt t, Cause cause) {
    turnedBack.get(cause).increment();
    t.turnedBack++;
    if (t.turnedBack > policy.maxTurnBacks()) {
      refusedByLimit.increment();
      return "was turned back "
          + t.turnedBack
          + " times, more than the limit of "
          + policy.maxTurnBacks()
          + " (TurnBackPolicy.maxTurnBacks)";
    }
    if (cause != Cause.DRAINING && !budget.tryWithdraw()) {
      refusedByBudget.increment();
      return "was turned back ("
          + cause.tag()
          + ") while the client's retry budget was spent: retries are held to "
          + Math.round(policy.budgetRatio() * 100)
          + " % of submissions (TurnBackPolicy.budgetRatio)";
    }
    return null;
  }

  /** Holds {@code t} until its back-off, with up to 50 % jitter, has passed. */
  void delay(TaskAttempt t, long nowNanos) {
    long backoff = policy.backoff().delay(t.turnedBack).toNanos();
    long jitter = (long) (backoff * 0.5 * ThreadLocalRandom.current().nextDouble());
    t.retryAtNanos = nowNanos + backoff + jitter;
    synchronized (delayed) {
      delayed.add(t);
    }
  }

  /** Takes the tasks whose back-off has passed by {@code nowNanos}. */
  List<TaskAttempt> due(long nowNanos) {
    List<TaskAttempt> due = List.of();
    synchronized (delayed) {
      TaskAttempt head;
      while ((head = delayed.peek()) != null && nowNanos - head.retryAtNanos >= 0) {
        if (due.isEmpty()) {
          due = new ArrayList<>();
        }
        due.add(delayed.poll());
      }
    }
    return due;
  }

  /** Takes each waiting task {@code expired} accepts and hands it, outside the lock, on. */
  void expire(Predicate<TaskAttempt> expired, Consumer<TaskAttempt> onExpired) {
    List<TaskAttempt> taken = new ArrayList<>();
    synchronized (delayed) {
      for (Iterator<TaskAttempt> it = delayed.iterator(); it.hasNext(); ) {
        TaskAttempt t = it.next();
        if (expired.test(t)) {
          it.remove();
          taken.add(t);
        }
      }
    }
    taken.forEach(onExpired);
  }

  /** Takes every waiting task (the client is closing). */
  List<TaskAttempt> takeAll() {
    synchronized (delayed) {
      List<TaskAttempt> all = new ArrayList<>(delayed);
      delayed.clear();
      return all;
    }
  }

  /** The waiting tasks, for a look at what waits for a node. */
  List<TaskAttempt> snapshot() {
    synchronized (delayed) {
      return new ArrayList<>(delayed);
    }
  }

  int waiting() {
    synchronized (delayed) {
      return delayed.size();
    }
  }
}
