package io.tideflow.runtime.membership;

/** Where Tideflow keeps its state in the cluster store. */
public final class ClusterKeys {
  /** One key per live node, written under the node's lease: {@code /tideflow/nodes/<id>}. */
  public static final String NODES = "/tideflow/nodes/";

  /** Nodes the coordinator saw leave, without a lease: {@code /tideflow/gone/<id>}. */
  public static final String GONE = "/tideflow/gone/";

  /** Each autoscaled pool's decision log: {@code /tideflow/autoscaler/<pool>}. */
  public static final String AUTOSCALER = "/tideflow/autoscaler/";

  /** What each client waits to place, under the client's lease: {@code /tideflow/demand/<id>}. */
  public static final String DEMAND = "/tideflow/demand/";

  /**
   * Each client's task counts (submitted, completed, failed, retried), under the client's lease:
   * {@code /tideflow/clients/<id>}. The leader exports them, so alerts see every client's tasks.
   */
  public static final String CLIENTS = "/tideflow/clients/";

  /** Each forecasting pool's load history, written by the leader: {@code /tideflow/load/<pool>}. */
  public static final String LOAD = "/tideflow/load/";

  /** Operators' scale requests, one per pool: {@code tideflow scale POOL --to N}. */
  public static final String SCALE = "/tideflow/scale/";

  /** The health of each autoscaled pool's providers: {@code /tideflow/providers/<pool>}. */
  public static final String PROVIDERS = "/tideflow/providers/";

  /**
   * The health of the leader's registry watches, written by the leader: {@code
   * /tideflow/watches/coordinator} and {@code /tideflow/watches/pool-<pool>}.
   */
  public static final String WATCHES = "/tideflow/watches/";

  /** Each deployed flow, as {@code tideflow deploy} wrote it: {@code /tideflow/flows/<name>}. */
  public static final String FLOWS = "/tideflow/flows/";

  /**
   * Where each flow's instances run, written by the leading coordinator: {@code
   * /tideflow/placements/<name>}.
   */
  public static final String PLACEMENTS = "/tideflow/placements/";

  /**
   * The deployments of flows that failed, written by the node of the instance that failed first:
   * {@code /tideflow/flow-failures/<name>}.
   */
  public static final String FLOW_FAILURES = "/tideflow/flow-failures/";

  /**
   * What each node's instances of each flow did lately, written by the node under its lease: {@code
   * /tideflow/flow-stats/<flow>/<node>}.
   */
  public static final String FLOW_STATS = "/tideflow/flow-stats/";

  /**
   * The latest safe state of each stateful instance, written by the instance's node: {@code
   * /tideflow/flow-state/<flow>/<deployment>/<process>#<i>}.
   */
  public static final String FLOW_STATE = "/tideflow/flow-state/";

  /**
   * Each node's answer to the paused placement of a flow while its instances move between live
   * nodes, under the node's lease: {@code /tideflow/flow-handover/<flow>/<node>}.
   */
  public static final String FLOW_HANDOVER = "/tideflow/flow-handover/";

  /** The coordinator election. */
  public static final String COORDINATOR_ELECTION = "tideflow-coordinator";

  private ClusterKeys() {}

  public static String node(String nodeId) {
    return NODES + nodeId;
  }

  public static String autoscaler(String pool) {
    return AUTOSCALER + pool;
  }

  public static String load(String pool) {
    return LOAD + pool;
  }

  public static String scale(String pool) {
    return SCALE + pool;
  }

  public static String demand(String clientId) {
    return DEMAND + clientId;
  }

  public static String client(String clientId) {
    return CLIENTS + clientId;
  }

  public static String providers(String pool) {
    return PROVIDERS + pool;
  }

  public static String watch(String name) {
    return WATCHES + name;
  }

  public static String flow(String name) {
    return FLOWS + name;
  }

  public static String placement(String flow) {
    return PLACEMENTS + flow;
  }

  public static String flowFailure(String flow) {
    return FLOW_FAILURES + flow;
  }

  public static String flowState(String flow, long deployedAtMillis, String instance) {
    return flowStates(flow, deployedAtMillis) + instance;
  }

  /** The prefix of the states of every instance of one deployment of {@code flow}. */
  public static String flowStates(String flow, long deployedAtMillis) {
    return FLOW_STATE + flow + "/" + deployedAtMillis + "/";
  }

  public static String flowHandover(String flow, String node) {
    return FLOW_HANDOVER + flow + "/" + node;
  }

  /** The prefix of every node's answer to a paused placement of {@code flow}. */
  public static String flowHandover(String flow) {
    return FLOW_HANDOVER + flow + "/";
  }

  public static String flowStats(String flow, String node) {
    return FLOW_STATS + flow + "/" + node;
  }

  /** The prefix of every node's stats of {@code flow}. */
  public static String flowStats(String flow) {
    return FLOW_STATS + flow + "/";
  }

  public static String gone(String nodeId) {
    return GONE + nodeId;
  }
}
