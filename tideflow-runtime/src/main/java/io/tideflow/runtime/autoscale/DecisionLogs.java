package io.tideflow.runtime.autoscale;

import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.store.Leadership;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A pool's decision log as stored in the cluster store under {@link ClusterKeys#autoscaler}: one
 * line per decision, tab-separated, newest last, at most {@value #KEPT} lines. The pool's
 * coordinator publishes it after each decision, so {@code tideflow status} can answer "why did it
 * (not) scale?" from any machine; the coordinator's own {@code /autoscaler} page (on its metrics
 * port) shows the same decisions.
 */
public final class DecisionLogs {
  /** Decisions kept in the store per pool. */
  public static final int KEPT = 50;

  private DecisionLogs() {}

  public static byte[] encode(List<DecisionRecord> records) {
    StringBuilder sb = new StringBuilder();
    int from = Math.max(0, records.size() - KEPT);
    for (DecisionRecord r : records.subList(from, records.size())) {
      sb.append(r.at().toEpochMilli())
          .append('\t')
          .append(clean(r.pool()))
          .append('\t')
          .append(r.current())
          .append('\t')
          .append(r.desired())
          .append('\t')
          .append(clean(r.policy()))
          .append('\t')
          .append(clean(r.inputs()))
          .append('\t')
          .append(clean(r.reason()))
          .append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a stored log.
   *
   * @throws IllegalArgumentException naming the line when it is not a decision record
   */
  public static List<DecisionRecord> decode(byte[] bytes) {
    List<DecisionRecord> records = new ArrayList<>();
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isEmpty()) {
        continue;
      }
      String[] f = lines[i].split("\t", -1);
      if (f.length != 7) {
        throw new IllegalArgumentException(
            "decision log line " + (i + 1) + " has " + f.length + " fields, expected 7");
      }
      try {
        records.add(
            new DecisionRecord(
                Instant.ofEpochMilli(Long.parseLong(f[0])),
                f[1],
                Integer.parseInt(f[2]),
                Integer.parseInt(f[3]),
                f[4],
                f[5],
                f[6]));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("decision log line " + (i + 1) + " is malformed", e);
      }
    }
    return records;
  }

  /**
   * Writes {@code records} as {@code pool}'s log, fenced by {@code leader}: completes with false
   * (nothing written) when it no longer leads. Failures are the caller's to log.
   */
  public static CompletableFuture<Boolean> publish(
      Leadership leader, String pool, List<DecisionRecord> records) {
    return leader.put(ClusterKeys.autoscaler(pool), encode(records));
  }

  /** {@code s} fit for one tab-separated field of one line. */
  static String clean(String s) {
    return s.replace('\t', ' ').replace('\n', ' ');
  }
}
