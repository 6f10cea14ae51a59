package io.tideflow.cli;

import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import io.tideflow.store.etcd.EtcdCredentials;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --store} option and its credentials, shared by commands that join a cluster. */
final class StoreOption {
  @Option(
      names = "--store",
      paramLabel = "URI",
      required = true,
      description = "Cluster store: etcd://HOST:PORT[,HOST:PORT...], or etcds://... over TLS")
  String uri;

  @Option(
      names = "--store-tls-dir",
      paramLabel = "DIR",
      description = {
        "For etcds://: DIR/ca.crt to check etcd's certificate, DIR/tls.crt and DIR/tls.key to",
        "present (etcd's --client-cert-auth). Default: $" + EtcdCredentials.TLS_DIR_ENV
      })
  Path tlsDir;

  @Option(
      names = "--store-user",
      paramLabel = "USER",
      description = "etcd user, with --store-password-file. Default: $" + EtcdCredentials.USER_ENV)
  String user;

  @Option(
      names = "--store-password-file",
      paramLabel = "FILE",
      description =
          "File whose first line is the etcd user's password (never on the command line)."
              + " Default: $"
              + EtcdCredentials.PASSWORD_FILE_ENV)
  Path passwordFile;

  ClusterStore open() {
    return ClusterStores.open(uri, EtcdCredentials.of(tlsDir, user, passwordFile, System.getenv()));
  }
}
