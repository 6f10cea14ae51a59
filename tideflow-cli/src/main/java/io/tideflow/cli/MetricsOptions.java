package io.tideflow.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideflow.runtime.security.JdkTls;
import io.tideflow.runtime.security.TlsFiles;
import io.tideflow.runtime.transport.ListenAddress;
import io.tideflow.server.http.HttpAccess;
import io.tideflow.server.http.MetricsServer;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a node serves {@code /metrics}: loopback by default; beyond it over HTTPS with a
 * certificate ({@code --metrics-tls-dir}, or the node's {@code --tls-dir}) and a bearer token read
 * from a file.
 */
final class MetricsOptions {
  @Option(
      names = "--metrics-bind",
      paramLabel = "HOST",
      description = "Address /metrics listens on (default: ${DEFAULT-VALUE})")
  String bind = ListenAddress.LOOPBACK.bindHost();

  @Option(
      names = "--metrics-token-file",
      paramLabel = "FILE",
      description = {
        "Serve /metrics over HTTPS (the --tls-dir certificate) to requests carrying the bearer",
        "token in FILE's first line (at least 16 characters); required beyond loopback"
      })
  Path tokenFile;

  @Option(
      names = "--metrics-tls-dir",
      paramLabel = "DIR",
      description = "Certificate for the HTTPS of /metrics (default: the node's --tls-dir)")
  Path tlsDir;

  /**
   * The server on {@code port}, or null for a negative port; {@code nodeTlsDir} is the node's own
   * certificate, used when no other is named (null when it has none).
   */
  MetricsServer start(PrometheusMeterRegistry registry, int port, Path nodeTlsDir) {
    if (port < 0) {
      return null;
    }
    HttpAccess access = null;
    if (tokenFile != null) {
      Path dir = tlsDir != null ? tlsDir : nodeTlsDir;
      if (dir == null) {
        throw new IllegalArgumentException(
            "--metrics-token-file serves /metrics over HTTPS: give its certificate with"
                + " --metrics-tls-dir");
      }
      access = HttpAccess.of(JdkTls.server(TlsFiles.in(dir)), tokenFile);
    }
    return MetricsServer.start(registry, ListenAddress.of(bind, null), port, access);
  }
}
