package io.tideflow.runtime.membership;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tideflow.core.model.Allocations;
import io.tideflow.runtime.membership.proto.ClientStatsRecord;
import io.tideflow.runtime.membership.proto.TaskAllocationRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a client's task counts, and what its tasks hold on each node, into the bytes stored under
 * {@link ClusterKeys#client}, and back. A record names at most {@value #MAX_NODES} nodes (those its
 * tasks hold the most cpu on, as many as fit in {@value #MAX_RECORD_BYTES} bytes); anything larger
 * is refused unread, and a record whose client id is not its key's is refused as well.
 */
public final class ClientStatsRecords {
  /** Most nodes whose allocations one record carries. */
  public static final int MAX_NODES = 512;

  /** The largest record read: the counts and {@value #MAX_NODES} allocations fit well within. */
  public static final int MAX_RECORD_BYTES = 64 * 1024;

  private ClientStatsRecords() {}

  /** What a client's tasks in flight hold on one node. */
  public record Held(long cpuMillis, long memoryBytes, int tasks) {
    public Held {
      if (cpuMillis < 0 || memoryBytes < 0 || tasks < 0) {
        throw new IllegalArgumentException(
            "negative allocation " + cpuMillis + "m, " + memoryBytes);
      }
    }
  }

  /**
   * One client's counts since it started, and when it said so (its own clock).
   *
   * @param waiting tasks it holds that no node has yet
   * @param inFlight tasks sent and not yet answered
   * @param held what its tasks in flight hold, by node
   */
  public record Counts(
      String clientId,
      long reportedAtMillis,
      long submitted,
      long completed,
      long failed,
      long retried,
      int waiting,
      int inFlight,
      Map<String, Held> held) {
    public Counts {
      if (submitted < 0
          || completed < 0
          || failed < 0
          || retried < 0
          || waiting < 0
          || inFlight < 0) {
        throw new IllegalArgumentException("negative task count in the stats of " + clientId);
      }
      held = Map.copyOf(held);
    }

    /** Whether {@code other} says the same of the tasks, whenever it was said. */
    public boolean sameCounts(Counts other) {
      return other != null
          && submitted == other.submitted
          && completed == other.completed
          && failed == other.failed
          && retried == other.retried
          && waiting == other.waiting
          && inFlight == other.inFlight
          && held.equals(other.held);
    }
  }

  /** What {@code allocations} hold on each node that holds anything. */
  public static Map<String, Held> held(Allocations allocations) {
    Map<String, Held> held = new HashMap<>();
    allocations.forEach(
        (node, a) -> {
          if (a.tasks() > 0) {
            held.put(
                node, new Held(a.allocated().cpuMillis(), a.allocated().memoryBytes(), a.tasks()));
          }
        });
    return held;
  }

  public static byte[] encode(Counts c) {
    ClientStatsRecord.Builder b =
        ClientStatsRecord.newBuilder()
            .setClientId(c.clientId())
            .setReportedAtMillis(c.reportedAtMillis())
            .setSubmitted(c.submitted())
            .setCompleted(c.completed())
            .setFailed(c.failed())
            .setRetried(c.retried())
            .setWaiting(c.waiting())
            .setInFlight(c.inFlight());
    List<Map.Entry<String, Held>> nodes = new ArrayList<>(c.held().entrySet());
    nodes.sort(
        Comparator.comparingLong((Map.Entry<String, Held> e) -> e.getValue().cpuMillis())
            .reversed()
            .thenComparing(Map.Entry::getKey));
    // The counts always fit; allocations go in, the largest first, while the record stays under
    // its limit (long node ids take more room), so a reader never refuses the counts for them.
    long size = b.build().getSerializedSize();
    for (Map.Entry<String, Held> e : nodes.subList(0, Math.min(MAX_NODES, nodes.size()))) {
      TaskAllocationRecord a =
          TaskAllocationRecord.newBuilder()
              .setNode(e.getKey())
              .setCpuMillis(e.getValue().cpuMillis())
              .setMemoryBytes(e.getValue().memoryBytes())
              .setTasks(e.getValue().tasks())
              .build();
      size += CodedOutputStream.computeMessageSize(ClientStatsRecord.ALLOCATIONS_FIELD_NUMBER, a);
      if (size > MAX_RECORD_BYTES) {
        break;
      }
      b.addAllocations(a);
    }
    return b.build().toByteArray();
  }

  /**
   * Reads a stored record.
   *
   * @throws IllegalArgumentException naming {@code key} when the bytes are not a client's stats
   */
  public static Counts decode(String key, byte[] bytes) {
    RecordLimits.check("client stats", key, bytes, MAX_RECORD_BYTES);
    try {
      ClientStatsRecord r = ClientStatsRecord.parseFrom(bytes);
      if (!key.endsWith("/" + r.getClientId())) {
        throw new IllegalArgumentException("it names client '" + r.getClientId() + "'");
      }
      if (r.getAllocationsCount() > MAX_NODES) {
        throw new IllegalArgumentException(
            r.getAllocationsCount() + " nodes' allocations, more than the limit of " + MAX_NODES);
      }
      Map<String, Held> held = new HashMap<>();
      for (TaskAllocationRecord a : r.getAllocationsList()) {
        held.put(a.getNode(), new Held(a.getCpuMillis(), a.getMemoryBytes(), a.getTasks()));
      }
      return new Counts(
          r.getClientId(),
          r.getReportedAtMillis(),
          r.getSubmitted(),
          r.getCompleted(),
          r.getFailed(),
          r.getRetried(),
          r.getWaiting(),
          r.getInFlight(),
          held);
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid client stats at " + key + ": " + e.getMessage(), e);
    }
  }
}
