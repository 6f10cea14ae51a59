package io.tideflow.cli;

import io.tideflow.runtime.security.ClusterCa;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tideflow ca init}: a cluster CA for people without a PKI of their own. */
@Command(
    name = "ca",
    mixinStandardHelpOptions = true,
    description = "The cluster's certificate authority.",
    subcommands = {CaCommand.Init.class})
final class CaCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Makes a cluster CA: DIR/ca.crt (give it to every node) and DIR/ca.key (keep it on the",
        "machine that issues certificates, readable by you alone). Never replaces a CA."
      })
  static final class Init implements Callable<Integer> {
    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where to write")
    Path dir;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description =
            "The cluster's trust domain, in every identity: spiffe://NAME/... (default: ${DEFAULT-VALUE})")
    String name = "tideflow";

    @Option(names = "--days", description = "How long the CA is valid (default: ${DEFAULT-VALUE})")
    int days = 3650;

    @Override
    public Integer call() throws Exception {
      if (days <= 0) {
        throw new IllegalArgumentException("--days must be > 0, was " + days);
      }
      ClusterCa ca = ClusterCa.create(name, Instant.now(), Duration.ofDays(days));
      ca.save(dir);
      System.out.println(
          "cluster CA for spiffe://"
              + name
              + " written to "
              + dir.resolve(ClusterCa.CA_CERT)
              + " and "
              + dir.resolve(ClusterCa.CA_KEY));
      return ExitCodes.OK;
    }
  }
}
