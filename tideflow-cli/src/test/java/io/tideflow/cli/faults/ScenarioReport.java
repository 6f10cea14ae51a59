package io.tideflow.cli.faults;

import java.util.Map;

/**
 * The figures of one fault scenario, printed as one line that docs quote.
 *
 * @param scenario a short name, e.g. {@code worker-sigstop}
 * @param submitted tasks the load sent
 * @param completed tasks answered with a result
 * @param failedByKind tasks that failed, by {@link io.tideflow.runtime.task.TaskException.Kind}
 * @param firstFailures what the first failure of each kind said
 * @param duplicated tasks the execution logs show ran more than once
 * @param retried tasks that needed more than one attempt
 * @param movedMillis from the fault to the first task placed again (-1: none moved)
 * @param recoveredMillis from the fault to the last moved task answered (-1: none moved)
 * @param note what else the scenario saw (how the faulty process ended, ...)
 */
record ScenarioReport(
    String scenario,
    int submitted,
    int completed,
    Map<String, Integer> failedByKind,
    Map<String, String> firstFailures,
    long duplicated,
    int retried,
    long movedMillis,
    long recoveredMillis,
    String note) {

  static ScenarioReport of(
      String scenario,
      Load.Tally tally,
      long duplicated,
      long faultNanos,
      long movedNanos,
      String note) {
    return new ScenarioReport(
        scenario,
        tally.submitted(),
        tally.completed(),
        tally.failedByKind(),
        tally.firstMessageByKind(),
        duplicated,
        tally.retried(),
        movedNanos == 0 ? -1 : (movedNanos - faultNanos) / 1_000_000,
        tally.lastRetriedDoneNanos() == 0
            ? -1
            : (tally.lastRetriedDoneNanos() - faultNanos) / 1_000_000,
        note);
  }

  int failed() {
    return failedByKind.values().stream().mapToInt(Integer::intValue).sum();
  }

  String line() {
    return "FAULT "
        + scenario
        + ": submitted="
        + submitted
        + " completed="
        + completed
        + " failed="
        + failed()
        + (failedByKind.isEmpty() ? "" : " " + failedByKind)
        + " duplicated="
        + duplicated
        + " retried="
        + retried
        + " moved_ms="
        + movedMillis
        + " recovered_ms="
        + recoveredMillis
        + (note.isEmpty() ? "" : " | " + note);
  }

  /** Prints {@link #line()}, and what each kind of failure first said, and returns this. */
  ScenarioReport print() {
    System.out.println(line());
    firstFailures.forEach(
        (kind, message) ->
            System.out.println("FAULT " + scenario + " first " + kind + ": " + message));
    return this;
  }
}
