package io.tideflow.runtime.flow;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tideflow.core.flow.Backpressure;
import io.tideflow.core.flow.Connection;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.FlowHealth;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import io.tideflow.runtime.membership.NodeRecords;
import io.tideflow.runtime.membership.proto.ConnectionRecord;
import io.tideflow.runtime.membership.proto.FlowFailureRecord;
import io.tideflow.runtime.membership.proto.FlowHandoverRecord;
import io.tideflow.runtime.membership.proto.FlowRecord;
import io.tideflow.runtime.membership.proto.FlowStatsRecord;
import io.tideflow.runtime.membership.proto.InstanceStatsRecord;
import io.tideflow.runtime.membership.proto.PlacementRecord;
import io.tideflow.runtime.membership.proto.ProcessRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Flows, their placements and their failures as the cluster store keeps them. */
public final class FlowRecords {
  /** The largest flow record read from the store. */
  public static final int MAX_RECORD_BYTES = 1 << 20;

  /**
   * A flow as deployed: its processes and connections, and the rates placement weighs.
   *
   * @param maxParallelism 0 when the parallelism is fixed; else the most instances the vertical
   *     scaler gives a process
   */
  public record Deployed(
      Flow flow, Map<Connection, Double> rates, long deployedAtMillis, int maxParallelism) {
    public Deployed {
      if (maxParallelism < 0 || maxParallelism > ProcessSpec.MAX_PARALLELISM) {
        throw new IllegalArgumentException(
            "flow "
                + flow.name()
                + ": maxParallelism must be in [0, "
                + ProcessSpec.MAX_PARALLELISM
                + "], was "
                + maxParallelism);
      }
    }
  }

  /**
   * Where a flow's instances run, which placement of the flow this is, and which deployment of the
   * flow it places.
   *
   * @param target while instances move between live nodes, where every instance goes; empty
   *     otherwise
   * @param paused the flow's sources hold still while a handover is under way
   * @param over the READY nodes the placement was made over, sorted
   */
  public record Placement(
      String flow,
      Map<String, String> nodes,
      long epoch,
      long fencingToken,
      long cut,
      String reason,
      long deployedAtMillis,
      Map<String, String> target,
      boolean paused,
      List<String> over) {
    public Placement {
      nodes = Map.copyOf(nodes);
      target = Map.copyOf(target);
      over = List.copyOf(over);
    }

    /** A placement that moves nothing live and holds nothing still. */
    public Placement(
        String flow,
        Map<String, String> nodes,
        long epoch,
        long fencingToken,
        long cut,
        String reason,
        long deployedAtMillis) {
      this(
          flow,
          nodes,
          epoch,
          fencingToken,
          cut,
          reason,
          deployedAtMillis,
          Map.of(),
          false,
          List.of());
    }

    /**
     * This placement with its instances on {@code nodes}, going to {@code target}, paused or not,
     * made over {@code over}; the rest as it is (the epoch too, which the writer sets).
     */
    public Placement with(
        Map<String, String> nodes, Map<String, String> target, boolean paused, List<String> over) {
      return new Placement(
          flow, nodes, epoch, fencingToken, cut, reason, deployedAtMillis, target, paused, over);
    }

    /** This placement with another reason and cut. */
    public Placement because(String reason, long cut) {
      return new Placement(
          flow, nodes, epoch, fencingToken, cut, reason, deployedAtMillis, target, paused, over);
    }

    /** Whether instances are moving between live nodes: the sources hold still until they have. */
    public boolean handingOver() {
      return !target.isEmpty();
    }
  }

  /**
   * A node's answer to the paused placement {@code epoch} of a deployment: it did what that
   * placement asks of it.
   */
  public record HandoverDone(String flow, long deployedAtMillis, long epoch, String node) {}

  /** The longest failure message kept; the rest is cut. */
  public static final int MAX_FAILURE_CHARS = 2_000;

  /**
   * A deployment of a flow that failed: which instance, on which node, with what, and when.
   *
   * @param message what the instance threw, at most {@link #MAX_FAILURE_CHARS} characters
   */
  public record Failure(
      String flow,
      long deployedAtMillis,
      String instance,
      String node,
      String message,
      long atMillis) {
    public Failure {
      if (message.length() > MAX_FAILURE_CHARS) {
        message = message.substring(0, MAX_FAILURE_CHARS - 1) + "…";
      }
    }
  }

  /**
   * What one node's instances of a flow did over {@code periodMillis} up to {@code atMillis}.
   *
   * @param instances by instance, in flow order
   */
  public record NodeStats(
      String flow,
      long deployedAtMillis,
      String node,
      long atMillis,
      long periodMillis,
      List<FlowHealth.Instance> instances) {
    public NodeStats {
      instances = List.copyOf(instances);
    }
  }

  private FlowRecords() {}

  public static byte[] encode(NodeStats stats) {
    FlowStatsRecord.Builder b =
        FlowStatsRecord.newBuilder()
            .setFlow(stats.flow())
            .setDeployedAtMillis(stats.deployedAtMillis())
            .setNode(stats.node())
            .setAtMillis(stats.atMillis())
            .setPeriodMillis(stats.periodMillis());
    for (FlowHealth.Instance i : stats.instances()) {
      b.addInstances(
          InstanceStatsRecord.newBuilder()
              .setInstance(i.id())
              .setReceivedPerSecond(i.receivedPerSecond())
              .setEmittedPerSecond(i.emittedPerSecond())
              .setBusy(i.time().busy())
              .setBackpressured(i.time().backpressured())
              .setIdle(i.time().idle())
              .setQueued(i.queued()));
    }
    return b.build().toByteArray();
  }

  /**
   * @throws IllegalArgumentException for bytes that are no stats record, or negative times
   */
  public static NodeStats decodeStats(byte[] bytes) {
    checkSize("flow stats", bytes);
    FlowStatsRecord r;
    try {
      r = FlowStatsRecord.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a flow stats record: " + e.getMessage(), e);
    }
    List<FlowHealth.Instance> instances = new ArrayList<>();
    for (InstanceStatsRecord i : r.getInstancesList()) {
      instances.add(
          new FlowHealth.Instance(
              i.getInstance(),
              i.getReceivedPerSecond(),
              i.getEmittedPerSecond(),
              new Backpressure.Time(i.getBusy(), i.getBackpressured(), i.getIdle()),
              i.getQueued()));
    }
    return new NodeStats(
        r.getFlow(),
        r.getDeployedAtMillis(),
        r.getNode(),
        r.getAtMillis(),
        r.getPeriodMillis(),
        instances);
  }

  public static byte[] encode(Failure f) {
    return FlowFailureRecord.newBuilder()
        .setFlow(f.flow())
        .setDeployedAtMillis(f.deployedAtMillis())
        .setInstance(f.instance())
        .setNode(f.node())
        .setMessage(f.message())
        .setAtMillis(f.atMillis())
        .build()
        .toByteArray();
  }

  /**
   * @throws IllegalArgumentException for bytes that are no failure record
   */
  public static Failure decodeFailure(byte[] bytes) {
    checkSize("failure", bytes);
    try {
      FlowFailureRecord r = FlowFailureRecord.parseFrom(bytes);
      return new Failure(
          r.getFlow(),
          r.getDeployedAtMillis(),
          r.getInstance(),
          r.getNode(),
          r.getMessage(),
          r.getAtMillis());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a flow failure record: " + e.getMessage(), e);
    }
  }

  private static void checkSize(String what, byte[] bytes) {
    if (bytes.length > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "a "
              + what
              + " record may have "
              + MAX_RECORD_BYTES
              + " bytes, this one has "
              + bytes.length);
    }
  }

  public static byte[] encode(Flow flow, Map<Connection, Double> rates, long deployedAtMillis) {
    return encode(new Deployed(flow, rates, deployedAtMillis, 0));
  }

  public static byte[] encode(Deployed d) {
    Flow flow = d.flow();
    Map<Connection, Double> rates = d.rates();
    FlowRecord.Builder b =
        FlowRecord.newBuilder()
            .setName(flow.name())
            .setDeployedAtMillis(d.deployedAtMillis())
            .setMaxParallelism(d.maxParallelism());
    for (ProcessSpec p : flow.processes()) {
      b.addProcesses(
          ProcessRecord.newBuilder()
              .setName(p.name())
              .setType(p.type())
              .setParallelism(p.parallelism())
              .setDemand(NodeRecords.toRecord(p.demand()))
              .addAllInputs(p.inputs())
              .addAllOutputs(p.outputs())
              .putAllProperties(p.properties()));
    }
    for (Connection c : flow.connections()) {
      b.addConnections(
          ConnectionRecord.newBuilder()
              .setFrom(c.from())
              .setFromPort(c.fromPort())
              .setTo(c.to())
              .setToPort(c.toPort())
              .setRouting(c.routing().name())
              .setCapacity(c.capacity())
              .setKeyGroups(c.keyGroups())
              .setMaxBytes(c.maxBytes())
              .setRate(rates.getOrDefault(c, 1.0)));
    }
    return b.build().toByteArray();
  }

  /**
   * @throws IllegalArgumentException for bytes that are no flow record, or a flow that does not
   *     check (with the flow's own reason)
   */
  public static Deployed decode(byte[] bytes) {
    checkSize("flow", bytes);
    FlowRecord r;
    try {
      r = FlowRecord.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a flow record: " + e.getMessage(), e);
    }
    Flow.Builder b = Flow.builder(r.getName());
    for (ProcessRecord p : r.getProcessesList()) {
      b.process(
          new ProcessSpec(
              p.getName(),
              p.getType(),
              p.getParallelism(),
              NodeRecords.fromRecord(p.getDemand()),
              p.getInputsList(),
              p.getOutputsList(),
              p.getPropertiesMap()));
    }
    Map<Connection, Double> rates = new LinkedHashMap<>();
    for (ConnectionRecord c : r.getConnectionsList()) {
      Routing routing;
      try {
        routing = Routing.valueOf(c.getRouting().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "flow " + r.getName() + ": unknown routing '" + c.getRouting() + "'", e);
      }
      Connection connection =
          new Connection(
              c.getFrom(),
              c.getFromPort(),
              c.getTo(),
              c.getToPort(),
              routing,
              c.getCapacity(),
              c.getKeyGroups(),
              c.getMaxBytes() == 0 ? Connection.DEFAULT_MAX_BYTES : c.getMaxBytes());
      b.connect(connection);
      rates.put(connection, c.getRate());
    }
    return new Deployed(b.build(), rates, r.getDeployedAtMillis(), r.getMaxParallelism());
  }

  public static byte[] encode(Placement p) {
    return PlacementRecord.newBuilder()
        .setFlow(p.flow())
        .putAllNodes(p.nodes())
        .setEpoch(p.epoch())
        .setFencingToken(p.fencingToken())
        .setCut(p.cut())
        .setReason(p.reason())
        .setDeployedAtMillis(p.deployedAtMillis())
        .putAllTarget(p.target())
        .setPaused(p.paused())
        .addAllOver(p.over())
        .build()
        .toByteArray();
  }

  public static byte[] encode(HandoverDone d) {
    return FlowHandoverRecord.newBuilder()
        .setFlow(d.flow())
        .setDeployedAtMillis(d.deployedAtMillis())
        .setEpoch(d.epoch())
        .setNode(d.node())
        .build()
        .toByteArray();
  }

  /**
   * @throws IllegalArgumentException for bytes that are no handover record
   */
  public static HandoverDone decodeHandover(byte[] bytes) {
    checkSize("handover", bytes);
    try {
      FlowHandoverRecord r = FlowHandoverRecord.parseFrom(bytes);
      return new HandoverDone(r.getFlow(), r.getDeployedAtMillis(), r.getEpoch(), r.getNode());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a handover record: " + e.getMessage(), e);
    }
  }

  /**
   * @throws IllegalArgumentException for bytes that are no placement record
   */
  public static Placement decodePlacement(byte[] bytes) {
    checkSize("placement", bytes);
    try {
      PlacementRecord r = PlacementRecord.parseFrom(bytes);
      return new Placement(
          r.getFlow(),
          r.getNodesMap(),
          r.getEpoch(),
          r.getFencingToken(),
          r.getCut(),
          r.getReason(),
          r.getDeployedAtMillis(),
          r.getTargetMap(),
          r.getPaused(),
          r.getOverList());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a placement record: " + e.getMessage(), e);
    }
  }
}
