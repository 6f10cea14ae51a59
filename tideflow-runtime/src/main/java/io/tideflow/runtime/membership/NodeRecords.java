package io.tideflow.runtime.membership;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tideflow.core.model.LoadReport;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.membership.proto.LoadRecord;
import io.tideflow.runtime.membership.proto.NodeRecord;
import io.tideflow.runtime.membership.proto.ResourcesRecord;

/** Turns {@link NodeInfo} into the bytes stored under a node's key, and back. */
public final class NodeRecords {
  private NodeRecords() {}

  public static byte[] encode(NodeInfo node) {
    return toRecord(node).toByteArray();
  }

  /**
   * Decodes a stored node.
   *
   * @throws IllegalArgumentException naming the key when the bytes are not a valid node record
   */
  public static NodeInfo decode(String key, byte[] bytes) {
    try {
      return fromRecord(NodeRecord.parseFrom(bytes));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid node record at " + key + ": " + e.getMessage(), e);
    }
  }

  public static NodeRecord toRecord(NodeInfo node) {
    Resources c = node.capacity();
    LoadReport l = node.load();
    return NodeRecord.newBuilder()
        .setId(node.id())
        .setProvider(node.provider())
        .setAddress(node.address())
        .putAllLabels(node.labels())
        .setCapacity(toRecord(c))
        .setState(node.state().name())
        .setLoad(
            LoadRecord.newBuilder()
                .setInFlight(l.inFlight())
                .setQueued(l.queued())
                .setCompleted(l.completed())
                .setCpu(l.cpu())
                .setHeapUsedBytes(l.heapUsedBytes())
                .setHeapMaxBytes(l.heapMaxBytes())
                .setReportedAtMillis(l.reportedAtMillis())
                .setNetworkBytesPerSec(l.networkBytesPerSec()))
        .build();
  }

  public static NodeInfo fromRecord(NodeRecord r) {
    ResourcesRecord c = r.getCapacity();
    LoadRecord l = r.getLoad();
    NodeState state;
    try {
      state = NodeState.valueOf(r.getState());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown node state '" + r.getState() + "'", e);
    }
    return new NodeInfo(
        r.getId(),
        r.getProvider(),
        r.getAddress(),
        r.getLabelsMap(),
        fromRecord(c),
        state,
        new LoadReport(
            l.getInFlight(),
            l.getQueued(),
            l.getCompleted(),
            l.getCpu(),
            l.getHeapUsedBytes(),
            l.getHeapMaxBytes(),
            l.getReportedAtMillis(),
            l.getNetworkBytesPerSec()));
  }

  public static ResourcesRecord toRecord(Resources r) {
    return ResourcesRecord.newBuilder()
        .setCpuMillis(r.cpuMillis())
        .setMemoryBytes(r.memoryBytes())
        .setNetworkBytesPerSec(r.networkBytesPerSec())
        .putAllCustom(r.custom())
        .build();
  }

  public static Resources fromRecord(ResourcesRecord r) {
    return new Resources(
        r.getCpuMillis(), r.getMemoryBytes(), r.getNetworkBytesPerSec(), r.getCustomMap());
  }
}
