package io.tideflow.cli;

import java.util.logging.Level;
import java.util.logging.Logger;

/** One line per log record, on stderr; the demo keeps the terminal for its progress line. */
final class Logging {
  private Logging() {}

  static void configure() {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
    }
    // gRPC's and Netty's own chatter stays below WARNING unless asked for.
    Logger.getLogger("io.grpc").setLevel(Level.WARNING);
    // The transport's warnings are about peers that went away, which the runtime reports itself.
    Logger.getLogger("io.netty").setLevel(Level.SEVERE);
    Logger.getLogger("io.grpc.netty").setLevel(Level.SEVERE);
  }

  /** Only warnings and worse from Tideflow itself. */
  static void quiet() {
    Logger.getLogger("io.tideflow").setLevel(Level.WARNING);
  }
}
