package io.tideflow.cli;

import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.store.etcd.EtcdAccess.KeyPermission;
import io.tideflow.store.etcd.EtcdClusterStore;
import java.util.List;

/**
 * The least each kind of process needs of etcd, as roles of etcd's own auth: a worker writes only
 * its own registry entry (under its lease) and reads the rest; a client writes only pending demand
 * and its task counts (and deploys flows, scales pools); a pool's nodes write only entries of their
 * pool's node ids; a coordinator writes the rest (GONE records, decision logs, watch health, its
 * election). Users are certificates' common names: the node id, the client's name, the
 * coordinator's id. Here, at the edge that picks etcd, since the runtime speaks to stores only
 * through their SPI.
 */
public final class StoreRoles {
  /** The prefix of the coordinator election's keys. */
  static final String ELECTION_PREFIX =
      EtcdClusterStore.electionKeyPrefix(ClusterKeys.COORDINATOR_ELECTION);

  private StoreRoles() {}

  /** The role of worker {@code nodeId}: etcd's role name and its permissions. */
  public static Role node(String nodeId) {
    return new Role(
        "tideflow-node-" + nodeId,
        List.of(
            new KeyPermission(ClusterKeys.node(nodeId), false, true),
            new KeyPermission("/tideflow/", true, false),
            new KeyPermission(ELECTION_PREFIX, true, false)));
  }

  /**
   * The role the nodes of pool {@code pool} share (user {@code pool-<pool>}, their certificates'
   * common name): each may write the registry entries of its pool's node ids ({@code <pool>-<n>})
   * and nothing else.
   */
  public static Role pool(String pool) {
    return new Role(
        "tideflow-pool-" + pool,
        List.of(
            new KeyPermission(ClusterKeys.node(pool + "-"), true, true),
            new KeyPermission("/tideflow/", true, false),
            new KeyPermission(ELECTION_PREFIX, true, false)));
  }

  /** The role every client shares: it may also deploy and undeploy flows and scale pools. */
  public static Role client() {
    return new Role(
        "tideflow-client",
        List.of(
            new KeyPermission(ClusterKeys.DEMAND, true, true),
            new KeyPermission(ClusterKeys.CLIENTS, true, true),
            new KeyPermission(ClusterKeys.FLOWS, true, true),
            new KeyPermission(ClusterKeys.SCALE, true, true),
            new KeyPermission("/tideflow/", true, false),
            new KeyPermission(ELECTION_PREFIX, true, false)));
  }

  /** The role every coordinator candidate shares. */
  public static Role coordinator() {
    return new Role(
        "tideflow-coordinator",
        List.of(
            new KeyPermission("/tideflow/", true, true),
            new KeyPermission(ELECTION_PREFIX, true, true)));
  }

  /** An etcd role and what it may touch. */
  public record Role(String name, List<KeyPermission> permissions) {
    public Role {
      permissions = List.copyOf(permissions);
    }
  }
}
