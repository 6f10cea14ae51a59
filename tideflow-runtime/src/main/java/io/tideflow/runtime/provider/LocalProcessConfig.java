package io.tideflow.runtime.provider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How {@link LocalProcessNodeProvider} starts worker JVMs.
 *
 * @param storeUri the cluster store the workers register in; must be {@code etcd://…}
 * @param javaCommand the java launcher
 * @param classPath the workers' class path
 * @param jvmFlags flags before the main class
 * @param readyTimeout how long a worker may take to print READY before its launch fails
 * @param stopGrace how long a worker may take to exit after SIGTERM before it gets SIGKILL
 * @param links where the workers listen and the certificates they are issued; an {@code etcds://}
 *     store needs certificates, which are then also the workers' credentials with etcd
 */
public record LocalProcessConfig(
    String storeUri,
    String javaCommand,
    String classPath,
    List<String> jvmFlags,
    Duration readyTimeout,
    Duration stopGrace,
    NodeLinks links) {

  public LocalProcessConfig {
    String scheme = storeUri == null ? "" : storeUri.trim().toLowerCase(Locale.ROOT);
    if (!scheme.startsWith("etcd://") && !scheme.startsWith("etcds://")) {
      throw new IllegalArgumentException(
          "storeUri must be etcd://HOST:PORT or etcds://HOST:PORT: worker processes"
              + " share the cluster store, and a memory: store lives inside one JVM; was '"
              + storeUri
              + "'");
    }
    if (links == null) {
      throw new IllegalArgumentException("links must not be null");
    }
    if (storeOverTls(storeUri) && !links.secured()) {
      throw new IllegalArgumentException(
          "worker processes of a pool on "
              + storeUri
              + " need certificates, which are their credentials with etcd too: give the pool a"
              + " CA to issue them (--pool-ca)");
    }
    if (javaCommand == null || javaCommand.isBlank()) {
      throw new IllegalArgumentException(
          "javaCommand must not be blank, was '" + javaCommand + "'");
    }
    if (classPath == null || classPath.isBlank()) {
      throw new IllegalArgumentException("classPath must not be blank, was '" + classPath + "'");
    }
    jvmFlags = List.copyOf(jvmFlags);
    if (readyTimeout.isNegative() || readyTimeout.isZero()) {
      throw new IllegalArgumentException("readyTimeout must be > 0, was " + readyTimeout);
    }
    if (stopGrace.isNegative()) {
      throw new IllegalArgumentException("stopGrace must be >= 0, was " + stopGrace);
    }
  }

  /** Whether the workers reach the store over TLS ({@code etcds://}). */
  public boolean storeOverTls() {
    return storeOverTls(storeUri);
  }

  private static boolean storeOverTls(String uri) {
    return uri.trim().toLowerCase(Locale.ROOT).startsWith("etcds://");
  }

  /** Plaintext workers on loopback. */
  public LocalProcessConfig(
      String storeUri,
      String javaCommand,
      String classPath,
      List<String> jvmFlags,
      Duration readyTimeout,
      Duration stopGrace) {
    this(storeUri, javaCommand, classPath, jvmFlags, readyTimeout, stopGrace, NodeLinks.LOOPBACK);
  }

  /**
   * This JVM's java and class path, a small heap and fast start-up flags, 60 s to start, 5 s to
   * stop, plaintext on loopback.
   */
  public static LocalProcessConfig defaults(String storeUri) {
    return defaults(storeUri, NodeLinks.LOOPBACK);
  }

  /** As {@link #defaults(String)}, the workers listening and secured as {@code links} says. */
  public static LocalProcessConfig defaults(String storeUri, NodeLinks links) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(System.getProperty("java.home") + "/bin/java");
    return new LocalProcessConfig(
        storeUri,
        java,
        System.getProperty("java.class.path"),
        defaultJvmFlags(Runtime.version().feature()),
        Duration.ofSeconds(60),
        Duration.ofSeconds(5),
        links);
  }

  /** A small heap and fast start (workers are short-lived here); quiet about Unsafe on 24+. */
  static List<String> defaultJvmFlags(int jdkFeature) {
    List<String> flags =
        new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    if (jdkFeature >= 24) {
      flags.add("--sun-misc-unsafe-memory-access=allow");
      flags.add("--enable-native-access=ALL-UNNAMED");
    }
    return flags;
  }

  public LocalProcessConfig withReadyTimeout(Duration value) {
    return new LocalProcessConfig(
        storeUri, javaCommand, classPath, jvmFlags, value, stopGrace, links);
  }

  public LocalProcessConfig withStopGrace(Duration value) {
    return new LocalProcessConfig(
        storeUri, javaCommand, classPath, jvmFlags, readyTimeout, value, links);
  }

  public LocalProcessConfig withJvmFlags(List<String> value) {
    return new LocalProcessConfig(
        storeUri, javaCommand, classPath, value, readyTimeout, stopGrace, links);
  }

  public LocalProcessConfig withLinks(NodeLinks value) {
    return new LocalProcessConfig(
        storeUri, javaCommand, classPath, jvmFlags, readyTimeout, stopGrace, value);
  }
}
