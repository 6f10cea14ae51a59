package io.tideflow.cli;

import io.tideflow.runtime.provider.NodeLinks;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.etcd.EtcdAccess;
import io.tideflow.store.etcd.EtcdClusterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tideflow store grant}: etcd's users and roles of least privilege for a cluster. */
@Command(
    name = "store",
    mixinStandardHelpOptions = true,
    description = "The cluster store's own access control.",
    subcommands = {StoreCommand.Grant.class})
final class StoreCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(
      name = "grant",
      mixinStandardHelpOptions = true,
      description = {
        "Sets up etcd users (the certificates' common names) with the least each needs: a worker",
        "writes only its own registry entry, a client only pending demand, a coordinator the",
        "rest. Run it as etcd's root (a certificate issued with --client root); --enable-auth",
        "then turns etcd's auth on. Running it again adds what is new and changes nothing else."
      })
  static final class Grant implements Callable<Integer> {
    @Mixin StoreOption store;

    @Option(names = "--node", paramLabel = "ID", description = "A worker node; repeatable")
    List<String> nodes = new ArrayList<>();

    @Option(
        names = "--pool",
        paramLabel = "NAME",
        description =
            "The nodes of a coordinator's pool (--pool-ca issues them certificates of user"
                + " pool-NAME); repeatable")
    List<String> pools = new ArrayList<>();

    @Option(names = "--client", paramLabel = "NAME", description = "A client; repeatable")
    List<String> clients = new ArrayList<>();

    @Option(
        names = "--coordinator",
        paramLabel = "ID",
        description = "A coordinator candidate; repeatable")
    List<String> coordinators = new ArrayList<>();

    @Option(names = "--enable-auth", description = "Turn etcd's auth on afterwards")
    boolean enable;

    @Override
    public Integer call() {
      try (ClusterStore opened = store.open()) {
        if (!(opened instanceof EtcdClusterStore etcd)) {
          throw new IllegalArgumentException(
              "store grant sets up etcd's own users; " + store.uri + " is not etcd");
        }
        EtcdAccess access = etcd.access();
        access.ensureRoot();
        for (String node : nodes) {
          StoreRoles.Role role = StoreRoles.node(node);
          access.grant(node, role.name(), role.permissions());
          System.out.println("node " + node + ": role " + role.name());
        }
        for (String pool : pools) {
          StoreRoles.Role role = StoreRoles.pool(pool);
          String user = NodeLinks.storeUser(pool);
          access.grant(user, role.name(), role.permissions());
          System.out.println("pool " + pool + ": user " + user + ", role " + role.name());
        }
        for (String client : clients) {
          access.grant(client, StoreRoles.client().name(), StoreRoles.client().permissions());
          System.out.println("client " + client + ": role " + StoreRoles.client().name());
        }
        for (String coordinator : coordinators) {
          access.grant(
              coordinator, StoreRoles.coordinator().name(), StoreRoles.coordinator().permissions());
          System.out.println(
              "coordinator " + coordinator + ": role " + StoreRoles.coordinator().name());
        }
        if (enable) {
          access.enable();
          System.out.println("etcd auth enabled");
        }
        return ExitCodes.OK;
      }
    }
  }
}
