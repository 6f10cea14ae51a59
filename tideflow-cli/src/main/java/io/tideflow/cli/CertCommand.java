package io.tideflow.cli;

import io.tideflow.runtime.security.ClusterCa;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.Pem;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tideflow cert issue}: a certificate from the cluster CA for a node, client or coordinator.
 */
@Command(
    name = "cert",
    mixinStandardHelpOptions = true,
    description = "Certificates from the cluster CA.",
    subcommands = {CertCommand.Issue.class})
final class CertCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(
      name = "issue",
      mixinStandardHelpOptions = true,
      description = {
        "Issues a certificate for one identity into OUT/tls.crt, OUT/tls.key (readable by you",
        "alone) and OUT/ca.crt, replacing what is there: a node reading OUT picks the new one up",
        "without a restart. Give OUT to the process as --tls-dir."
      })
  static final class Issue implements Callable<Integer> {
    @Option(names = "--ca", required = true, paramLabel = "DIR", description = "The CA's directory")
    Path caDir;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write")
    Path out;

    @ArgGroup(multiplicity = "1")
    Holder holder;

    static final class Holder {
      @Option(names = "--node", paramLabel = "ID", description = "A worker node's id")
      String node;

      @Option(names = "--client", paramLabel = "NAME", description = "A client's name")
      String client;

      @Option(names = "--coordinator", paramLabel = "ID", description = "A coordinator's id")
      String coordinator;

      @Option(
          names = "--service",
          paramLabel = "NAME",
          description = "A server the cluster uses (etcd, redis); name its hosts with --host")
      String service;
    }

    @Option(
        names = "--host",
        paramLabel = "HOST",
        description =
            "A DNS name or address it is dialled at, for servers checked by host name; repeatable")
    List<String> hosts = new ArrayList<>();

    @Option(
        names = "--also-trust",
        paramLabel = "FILE",
        description = {
          "PEM file of more CA certificates for OUT/ca.crt beside the issuing CA's, e.g. a new",
          "CA's ca.crt while the cluster moves to it; repeatable"
        })
    List<Path> alsoTrust = new ArrayList<>();

    @Option(
        names = "--days",
        description = "How long the certificate is valid (default: ${DEFAULT-VALUE})")
    int days = 90;

    @Override
    public Integer call() throws Exception {
      if (days <= 0) {
        throw new IllegalArgumentException("--days must be > 0, was " + days);
      }
      Identity.Role role;
      String name;
      if (holder.node != null) {
        role = Identity.Role.NODE;
        name = holder.node;
      } else if (holder.coordinator != null) {
        role = Identity.Role.COORDINATOR;
        name = holder.coordinator;
      } else if (holder.service != null) {
        if (hosts.isEmpty()) {
          throw new IllegalArgumentException(
              "--service needs --host for each name or address it is dialled at");
        }
        role = Identity.Role.SERVICE;
        name = holder.service;
      } else {
        role = Identity.Role.CLIENT;
        name = holder.client;
      }
      ClusterCa ca = ClusterCa.load(caDir);
      ClusterCa.Issued issued = ca.issue(role, name, hosts, Instant.now(), Duration.ofDays(days));
      List<X509Certificate> trusted = new ArrayList<>();
      for (Path file : alsoTrust) {
        trusted.addAll(Pem.readCertificates(file));
      }
      issued.save(out, trusted);
      System.out.println(
          issued.identity()
              + " until "
              + issued.certificate().getNotAfter().toInstant()
              + ", written to "
              + out);
      return ExitCodes.OK;
    }
  }
}
