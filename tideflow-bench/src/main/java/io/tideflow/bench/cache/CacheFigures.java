package io.tideflow.bench.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tideflow.cache.codec.ValueFrames;
import io.tideflow.cache.near.NearPolicy;
import io.tideflow.cache.near.NearTier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The cache figures that need no server, printed as Markdown: near-tier hit rate of W-TinyLFU
 * against LRU on one Zipf(0.9) trace at several sizes (also drawn as bars in {@code
 * reports/cache-hit-rates.html}, or where {@code -Dchart=} says), and the zstd ratio on JSON
 * payloads.
 *
 * <p>Run: {@code java -cp ... io.tideflow.bench.cache.CacheFigures [keys] [requests]} (defaults
 * 100,000 keys, 2,000,000 requests); {@code run-cache-bench.sh} does.
 */
public final class CacheFigures {
  private static final long[] SIZES = {250, 1_000, 5_000, 20_000};
  private static final int[] PAYLOAD_ORDERS = {5, 20, 100, 500};

  private CacheFigures() {}

  public static void main(String[] args) {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
    List<HitRateChart.Row> rows = new ArrayList<>();
    System.out.println(hitRates(keys, requests, rows));
    System.out.println(compression());
    Path chart = Path.of(System.getProperty("chart", "reports/cache-hit-rates.html"));
    try {
      if (chart.getParent() != null) {
        Files.createDirectories(chart.getParent());
      }
      Files.writeString(
          chart,
          HitRateChart.html(
              String.format(
                  Locale.ROOT,
                  "Near-tier hit rate, Zipf(0.9) over %,d keys, %,d requests",
                  keys,
                  requests),
              rows));
      System.out.println("chart: " + chart.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + chart, e);
    }
  }

  static String hitRates(int keys, int requests, List<HitRateChart.Row> rows) {
    int[] trace = new int[requests];
    ZipfTrace zipf = new ZipfTrace(keys, 0.9, 42);
    for (int i = 0; i < requests; i++) {
      trace[i] = zipf.next();
    }
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "Near-tier hit rate, Zipf(0.9) over %,d keys, %,d requests (read-through: a miss puts)%n%n",
            keys,
            requests));
    md.append(
        "| near size | % of keys | W-TinyLFU | LRU | difference |\n| ---: | ---: | ---: | ---: | ---: |\n");
    for (long size : SIZES) {
      double tinyLfu = replay(NearPolicy.W_TINY_LFU, size, trace);
      double lru = replay(NearPolicy.LRU, size, trace);
      rows.add(new HitRateChart.Row(size, tinyLfu, lru));
      md.append(
          String.format(
              Locale.ROOT,
              "| %,d | %.2f %% | %.2f %% | %.2f %% | %+.2f points |%n",
              size,
              100.0 * size / keys,
              100 * tinyLfu,
              100 * lru,
              100 * (tinyLfu - lru)));
    }
    return md.toString();
  }

  private static double replay(NearPolicy policy, long size, int[] trace) {
    NearTier<Integer> tier = policy.create(size, Duration.ofDays(1), Ticker.disabledTicker());
    Duration ttl = Duration.ofDays(1);
    String[] names = new String[trace.length == 0 ? 0 : maxOf(trace) + 1];
    long hits = 0;
    for (int rank : trace) {
      String key = names[rank] != null ? names[rank] : (names[rank] = "k" + rank);
      if (tier.getIfPresent(key) != null) {
        hits++;
      } else {
        tier.put(key, rank, ttl);
      }
    }
    return (double) hits / trace.length;
  }

  private static int maxOf(int[] values) {
    int max = 0;
    for (int v : values) {
      max = Math.max(max, v);
    }
    return max;
  }

  static String compression() {
    ValueFrames frames = new ValueFrames(1024, 3, Integer.MAX_VALUE);
    StringBuilder md = new StringBuilder();
    md.append("zstd level 3 on JSON order documents (threshold 1 KiB; framing included)\n\n");
    md.append("| payload | serialized | stored | ratio | smaller by | encode | decode |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int orders : PAYLOAD_ORDERS) {
      byte[] json = JsonPayloads.orders(orders).getBytes(StandardCharsets.UTF_8);
      byte[] frame = frames.encode(json, 0);
      long encodeNanos = timeNanos(() -> frames.encode(json, 0));
      long decodeNanos = timeNanos(() -> frames.decode(frame));
      md.append(
          String.format(
              Locale.ROOT,
              "| %d orders | %,d B | %,d B | %.2f | %.0f %% | %.1f µs | %.1f µs |%n",
              orders,
              json.length,
              frame.length,
              (double) json.length / frame.length,
              100.0 * (json.length - frame.length) / json.length,
              encodeNanos / 1e3,
              decodeNanos / 1e3));
    }
    return md.toString();
  }

  /** Median time of one call, after warming it up. */
  private static long timeNanos(Runnable call) {
    for (int i = 0; i < 2_000; i++) {
      call.run();
    }
    Histogram samples = new Histogram(3); // nanoseconds, 3 significant digits, resizes itself
    for (int i = 0; i < 501; i++) {
      long start = System.nanoTime();
      call.run();
      samples.recordValue(System.nanoTime() - start);
    }
    return samples.getValueAtPercentile(50);
  }
}
