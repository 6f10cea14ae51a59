package io.tideflow.cli;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import picocli.CommandLine.Option;

/** The {@code --store} option shared by commands that join a cluster. */
final class StoreOption {
  @Option(
      names = "--store",
      paramLabel = "URI",
      required = true,
      description = "Cluster store: etcd://HOST:PORT[,HOST:PORT...]")
  String uri;

  ClusterStore open() {
    return ClusterStores.open(uri);
  }
}
