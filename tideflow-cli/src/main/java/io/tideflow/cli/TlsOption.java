package io.tideflow.cli;

import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.security.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The {@code --tls-dir} option shared by commands that open node links: the directory {@code
 * tideflow cert issue} wrote ({@code tls.crt}, {@code tls.key}, {@code ca.crt}), or a Kubernetes
 * TLS secret mounted as files. Without it links are plaintext, which only loopback allows.
 */
final class TlsOption {
  @Option(
      names = "--tls-dir",
      paramLabel = "DIR",
      description = {
        "Mutual TLS for node links from DIR/tls.crt, DIR/tls.key and DIR/ca.crt (see 'tideflow",
        "cert issue'); reread when they change. Required to listen beyond loopback."
      })
  Path dir;

  @Option(
      names = "--tls-reload",
      paramLabel = "DURATION",
      description =
          "How often the --tls-dir files are checked for changes (default: ${DEFAULT-VALUE})",
      converter = Durations.class)
  Duration reload = ClusterTls.DEFAULT_RELOAD;

  /** Plaintext without {@code --tls-dir}; closing the process ends the reloading with it. */
  LinkSecurity open() {
    if (dir == null) {
      return LinkSecurity.plaintext();
    }
    ClusterTls tls = ClusterTls.load(TlsFiles.in(dir), reload);
    Runtime.getRuntime().addShutdownHook(new Thread(tls::close, "tideflow-tls-close"));
    return LinkSecurity.mutualTls(tls);
  }
}
