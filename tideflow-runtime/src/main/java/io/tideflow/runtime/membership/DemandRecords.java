package io.tideflow.runtime.membership;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tideflow.core.model.LabelSelector;
import io.tideflow.core.model.PendingWork;
import io.tideflow.runtime.membership.proto.DemandRecord;
import io.tideflow.runtime.membership.proto.PendingWorkRecord;
import io.tideflow.runtime.membership.proto.SelectorRequirementRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Turns what a client waits to place into the bytes stored under {@link ClusterKeys#demand}, and
 * back. A record holds at most {@value #MAX_SHAPES} shapes of work, each reason cut to {@value
 * #MAX_REASON_CHARS} characters, so one client cannot flood the store or its readers.
 */
public final class DemandRecords {
  /** Distinct shapes of waiting work kept in one record; the most numerous are kept. */
  public static final int MAX_SHAPES = 64;

  /** Longest reason kept. */
  public static final int MAX_REASON_CHARS = 400;

  private DemandRecords() {}

  /** What one client reported, and when (its own clock). */
  public record Report(String clientId, long reportedAtMillis, List<PendingWork> work) {
    public Report {
      work = List.copyOf(work);
    }

    /** Pieces of work waiting, over all shapes. */
    public long waiting() {
      long n = 0;
      for (PendingWork w : work) {
        n += w.count();
      }
      return n;
    }
  }

  public static byte[] encode(Report report) {
    DemandRecord.Builder b =
        DemandRecord.newBuilder()
            .setClientId(report.clientId())
            .setReportedAtMillis(report.reportedAtMillis());
    List<PendingWork> work = new ArrayList<>(report.work());
    work.sort((x, y) -> Integer.compare(y.count(), x.count()));
    for (PendingWork w : work.subList(0, Math.min(MAX_SHAPES, work.size()))) {
      PendingWorkRecord.Builder r =
          PendingWorkRecord.newBuilder()
              .setDemand(NodeRecords.toRecord(w.demand()))
              .setCount(w.count())
              .addAllTolerations(w.tolerations())
              .setReason(
                  w.reason().length() > MAX_REASON_CHARS
                      ? w.reason().substring(0, MAX_REASON_CHARS)
                      : w.reason());
      for (LabelSelector.Requirement q : w.selector().requirements()) {
        r.addSelector(
            SelectorRequirementRecord.newBuilder()
                .setKey(q.key())
                .setOperator(q.operator().name())
                .addAllValues(q.values()));
      }
      b.addWork(r);
    }
    return b.build().toByteArray();
  }

  /**
   * Reads a stored report.
   *
   * @throws IllegalArgumentException naming the key when the bytes are not a demand record or hold
   *     more than {@value #MAX_SHAPES} shapes
   */
  public static Report decode(String key, byte[] bytes) {
    try {
      DemandRecord d = DemandRecord.parseFrom(bytes);
      if (d.getWorkCount() > MAX_SHAPES) {
        throw new IllegalArgumentException(
            d.getWorkCount() + " shapes of work, more than the limit of " + MAX_SHAPES);
      }
      List<PendingWork> work = new ArrayList<>();
      for (PendingWorkRecord r : d.getWorkList()) {
        List<LabelSelector.Requirement> reqs = new ArrayList<>();
        for (SelectorRequirementRecord q : r.getSelectorList()) {
          LabelSelector.Operator op;
          try {
            op = LabelSelector.Operator.valueOf(q.getOperator());
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "unknown selector operator '" + q.getOperator() + "'", e);
          }
          reqs.add(new LabelSelector.Requirement(q.getKey(), op, new HashSet<>(q.getValuesList())));
        }
        work.add(
            new PendingWork(
                NodeRecords.fromRecord(r.getDemand()),
                new LabelSelector(reqs),
                new HashSet<>(r.getTolerationsList()),
                r.getCount(),
                r.getReason()));
      }
      return new Report(d.getClientId(), d.getReportedAtMillis(), work);
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid demand record at " + key + ": " + e.getMessage(), e);
    }
  }
}
