package io.tideflow.store.etcd;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

/**
 * A client TLS context built again from its directory's files when they change, looked at when a
 * connection opens at most once per {@code every}: the link to etcd takes a renewed certificate (or
 * a new CA in {@code ca.crt}) on its next connection, without a restart, as node links do. Files
 * that cannot be used keep the context before them.
 */
final class ReloadingSslContext extends SslContext {
  private static final System.Logger LOG = System.getLogger(ReloadingSslContext.class.getName());

  private final Path dir;
  private final List<Path> files;
  private final Function<Path, SslContext> build;
  private final long everyNanos;
  private volatile SslContext current;
  private volatile List<Object> stamp;
  private volatile long checkedAt;

  /**
   * @param build makes the context from {@code dir}; throws IllegalArgumentException naming what
   *     cannot be used
   */
  ReloadingSslContext(
      Path dir, List<String> names, Duration every, Function<Path, SslContext> build) {
    this.dir = dir;
    this.files = names.stream().map(dir::resolve).toList();
    this.build = build;
    this.everyNanos = every.toNanos();
    this.stamp = stamp();
    this.current = build.apply(dir);
    this.checkedAt = System.nanoTime();
  }

  /** When each file was changed and how long it is; a missing file counts as such. */
  private List<Object> stamp() {
    List<Object> s = new ArrayList<>();
    for (Path f : files) {
      try {
        s.add(Files.getLastModifiedTime(f));
        s.add(Files.size(f));
      } catch (IOException e) {
        s.add("missing");
      }
    }
    return s;
  }

  private SslContext context() {
    long now = System.nanoTime();
    if (now - checkedAt >= everyNanos) {
      reloadIfChanged(now);
    }
    return current;
  }

  private synchronized void reloadIfChanged(long now) {
    if (now - checkedAt < everyNanos) {
      return;
    }
    checkedAt = now;
    List<Object> seen = stamp();
    if (seen.equals(stamp)) {
      return;
    }
    try {
      current = build.apply(dir);
      stamp = seen;
      LOG.log(Level.INFO, "TLS to etcd reloaded from " + dir);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "TLS to etcd not reloaded, the old stays in use: " + e.getMessage());
    }
  }

  @Override
  public boolean isClient() {
    return true;
  }

  @Override
  public List<String> cipherSuites() {
    return context().cipherSuites();
  }

  @Override
  public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
    return context().applicationProtocolNegotiator();
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc) {
    return context().newEngine(alloc);
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
    return context().newEngine(alloc, peerHost, peerPort);
  }

  @Override
  public SSLSessionContext sessionContext() {
    return context().sessionContext();
  }
}
