package io.tideflow.bench.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.tideflow.runtime.security.ClusterCa;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.TlsFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One whole mutual-TLS 1.3 handshake between a client and a node, as a node link makes it: both
 * ends BoringSSL, ECDSA P-256 certificates from the cluster CA, each chain checked by the JDK's
 * PKIX and its identity by Tideflow; engines in memory, so the figure is CPU, not the network. The
 * client offers only {@code group}; the node offers the default list, so it agrees to that group.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TlsHandshakeBenchmark {
  @Param({"X25519MLKEM768", "X25519"})
  public String group;

  private Path dir;
  private ClusterTls node;
  private ClusterTls client;
  private SslContext serverContext;
  private SslContext clientContext;
  private final ByteBuffer toServer = ByteBuffer.allocateDirect(1 << 17);
  private final ByteBuffer toClient = ByteBuffer.allocateDirect(1 << 17);
  private final ByteBuffer app = ByteBuffer.allocateDirect(1 << 17);
  private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

  @Setup
  public void setUp() throws IOException, GeneralSecurityException {
    dir = Files.createTempDirectory("tideflow-tls-bench");
    ClusterCa ca = ClusterCa.create("bench", Instant.now(), Duration.ofDays(1));
    ca.issue(Identity.Role.NODE, "w1", List.of(), Instant.now(), Duration.ofDays(1))
        .save(dir.resolve("w1"));
    ca.issue(Identity.Role.CLIENT, "c1", List.of(), Instant.now(), Duration.ofDays(1))
        .save(dir.resolve("c1"));
    node = ClusterTls.load(TlsFiles.in(dir.resolve("w1")), Duration.ofHours(1));
    client = ClusterTls.load(TlsFiles.in(dir.resolve("c1")), Duration.ofHours(1), List.of(group));
    serverContext = node.serverContext();
    clientContext = client.clientContext("w1");
    handshake();
    if (!node.stats().handshakes().containsKey("server/" + group)) {
      throw new IllegalStateException(
          "the handshake agreed on " + node.stats().handshakes() + ", not " + group);
    }
  }

  @TearDown
  public void tearDown() throws IOException {
    node.close();
    client.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  public HandshakeStatus handshake() throws SSLException {
    SSLEngine c = clientContext.newEngine(ByteBufAllocator.DEFAULT, "w1", 443);
    SSLEngine s = serverContext.newEngine(ByteBufAllocator.DEFAULT);
    try {
      return run(c, s);
    } finally {
      ReferenceCountUtil.release(c);
      ReferenceCountUtil.release(s);
    }
  }

  private HandshakeStatus run(SSLEngine c, SSLEngine s) throws SSLException {
    toServer.clear();
    toClient.clear();
    c.beginHandshake();
    s.beginHandshake();
    for (int round = 0; round < 32; round++) {
      if (done(c) && done(s)) {
        return c.getHandshakeStatus();
      }
      pass(c, toServer, s);
      pass(s, toClient, c);
    }
    throw new IllegalStateException("the handshake did not finish in 32 rounds");
  }

  /** Whatever {@code from} has to say, read by {@code to}. */
  private void pass(SSLEngine from, ByteBuffer wire, SSLEngine to) throws SSLException {
    from.wrap(EMPTY, wire);
    tasks(from);
    wire.flip();
    while (wire.hasRemaining()) {
      app.clear();
      if (to.unwrap(wire, app).bytesConsumed() == 0) {
        break;
      }
      tasks(to);
    }
    wire.compact();
  }

  private static void tasks(SSLEngine e) {
    for (Runnable t = e.getDelegatedTask(); t != null; t = e.getDelegatedTask()) {
      t.run();
    }
  }

  private static boolean done(SSLEngine e) {
    HandshakeStatus h = e.getHandshakeStatus();
    return h == HandshakeStatus.NOT_HANDSHAKING || h == HandshakeStatus.FINISHED;
  }
}
