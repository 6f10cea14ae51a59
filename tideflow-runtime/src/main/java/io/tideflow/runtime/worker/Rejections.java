package io.tideflow.runtime.worker;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the tasks a worker answered without running them, by why. Exported as {@code
 * tideflow.worker.tasks.rejected} with a {@code reason} tag ({@link Reason#tag()}). Any thread.
 */
final class Rejections {
  /** Why a task was turned back unrun. */
  enum Reason {
    /** The worker's admission limit (tasks or bytes) was reached. */
    OVERLOADED,
    /** The stream sent more tasks than the credits it held. */
    NO_CREDIT,
    /** The worker was draining or stopping. */
    DRAINING,
    /** A name, key or payload over its wire limit. */
    TOO_LARGE,
    /** No handler of that name here. */
    UNKNOWN_HANDLER;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);

  Rejections() {
    for (Reason r : Reason.values()) {
      counts.put(r, new LongAdder());
    }
  }

  void count(Reason reason) {
    counts.get(reason).increment();
  }

  long get(Reason reason) {
    return counts.get(reason).sum();
  }
}
