package io.tideflow.runtime.membership;

import io.tideflow.store.Leadership;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The health of a leader's registry watch, as stored under {@link ClusterKeys#watch} so {@code
 * tideflow status} shows from any machine whether the leader still follows the registry or is
 * recovering its watch (and why). One tab-separated line: {@code holder, healthy, restarts, errors,
 * last error at (epoch millis, 0 if none), last error}.
 *
 * <p>{@link Publisher} writes it, fenced by the leadership, whenever it changed.
 */
public final class WatchHealths {
  /** Longest error text kept. */
  static final int MAX_ERROR_CHARS = 300;

  private WatchHealths() {}

  /**
   * One watch's health as stored.
   *
   * @param holder who watches (the leading coordinator's candidate name)
   * @param lastErrorAtMillis when the last error came, 0 if none has
   */
  public record Report(
      String holder,
      boolean healthy,
      long restarts,
      long errors,
      long lastErrorAtMillis,
      String lastError) {}

  public static Report of(String holder, PrefixWatch.Health h) {
    Instant at = h.lastErrorAt();
    return new Report(
        holder,
        h.healthy(),
        h.restarts(),
        h.errors(),
        at == null ? 0 : at.toEpochMilli(),
        h.lastError() == null ? "" : String.valueOf(h.lastError().getMessage()));
  }

  public static byte[] encode(Report r) {
    String error = clean(r.lastError());
    return (clean(r.holder())
            + '\t'
            + r.healthy()
            + '\t'
            + r.restarts()
            + '\t'
            + r.errors()
            + '\t'
            + r.lastErrorAtMillis()
            + '\t'
            + (error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) : error))
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a stored health.
   *
   * @throws IllegalArgumentException saying what is wrong when it is not a watch health
   */
  public static Report decode(byte[] bytes) {
    String[] f = new String(bytes, StandardCharsets.UTF_8).split("\t", -1);
    if (f.length != 6 || !(f[1].equals("true") || f[1].equals("false"))) {
      throw new IllegalArgumentException(
          "watch health is not 'holder, healthy, restarts, errors, last error at, last error'");
    }
    try {
      return new Report(
          f[0],
          Boolean.parseBoolean(f[1]),
          Long.parseLong(f[2]),
          Long.parseLong(f[3]),
          Long.parseLong(f[4]),
          f[5]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("watch health has a malformed number: " + e.getMessage());
    }
  }

  /** For people: "following (c1), 2 restart(s); last error 12 s ago: …" or "RECOVERING (c1) …". */
  public static String describe(Report r, long nowMillis) {
    StringBuilder sb =
        new StringBuilder(r.healthy() ? "following" : "RECOVERING")
            .append(" (")
            .append(r.holder())
            .append("), ")
            .append(r.restarts())
            .append(" restart(s)");
    if (r.lastErrorAtMillis() > 0) {
      sb.append("; last error ")
          .append(Math.max(0, (nowMillis - r.lastErrorAtMillis()) / 1000))
          .append(" s ago: ")
          .append(r.lastError());
    }
    return sb.toString();
  }

  private static String clean(String s) {
    return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }

  /** Writes one watch's health under {@code name} when it changed since the last write. */
  public static final class Publisher {
    private final String name;
    private final String holder;
    private final Supplier<PrefixWatch.Health> watch;
    private volatile Report published;

    /** Publishes {@code watch}'s health (e.g. {@code watcher::health}) as {@code name}. */
    public Publisher(String name, String holder, Supplier<PrefixWatch.Health> watch) {
      this.name = name;
      this.holder = holder;
      this.watch = watch;
    }

    /**
     * Writes the health, fenced by {@code leader}, if it differs from what was last written;
     * completes with false when nothing needed writing or another leads. A failed write is tried
     * again next time.
     */
    public CompletableFuture<Boolean> publish(Leadership leader) {
      Report now = of(holder, watch.get());
      if (now.equals(published)) {
        return CompletableFuture.completedFuture(false);
      }
      published = now;
      return leader
          .put(ClusterKeys.watch(name), encode(now))
          .whenComplete(
              (written, e) -> {
                if (e != null || !written) {
                  published = null;
                }
              });
    }
  }
}
