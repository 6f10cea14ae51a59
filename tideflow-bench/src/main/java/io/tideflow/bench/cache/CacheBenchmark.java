package io.tideflow.bench.cache;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.tideflow.bench.endtoend.HazelcastBackend;
import io.tideflow.cache.CacheLoader;
import io.tideflow.cache.TwoTierCache;
import io.tideflow.cache.codec.Codec;
import io.tideflow.cache.near.NearPolicy;
import io.tideflow.cache.remote.RedisRemote;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Latency of the two-tier cache's paths (SampleTime: read p50/p99 from the percentiles), single
 * thread, with plain Lettuce GET as the floor and Hazelcast's client near cache as the peer, all
 * against servers on loopback on the same 2 cores.
 *
 * <p>Needs a redis-server: {@code tideflow-bench/run-cache-bench.sh} starts one on a free loopback
 * port and passes {@code -p redisUri=...}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
      "--enable-native-access=ALL-UNNAMED",
      "--add-modules",
      "java.se",
      "--add-exports",
      "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens",
      "java.base/java.lang=ALL-UNNAMED",
      "--add-opens",
      "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens",
      "java.management/sun.management=ALL-UNNAMED",
      "--add-opens",
      "jdk.management/com.sun.management.internal=ALL-UNNAMED"
    })
public class CacheBenchmark {
  static final int KEYS = 1_000;
  static final String VALUE = "v".repeat(200);

  /** Key {@code i} of the preloaded set, cycled through by each benchmark. */
  static String key(int i) {
    return "key-" + (i % KEYS);
  }

  /** Our cache (near W-TinyLFU, and one with no near tier) and a plain Lettuce connection. */
  @State(Scope.Benchmark)
  public static class Tideflow {
    @Param("")
    public String redisUri;

    RedisRemote remote;
    TwoTierCache<String> twoTier;
    TwoTierCache<String> remoteOnly;
    RedisClient lettuce;
    StatefulRedisConnection<String, String> connection;
    RedisCommands<String, String> plain;

    @Setup(org.openjdk.jmh.annotations.Level.Trial)
    public void start() {
      if (redisUri.isEmpty()) {
        throw new IllegalStateException(
            "pass -p redisUri=redis://127.0.0.1:PORT (run-cache-bench.sh does)");
      }
      remote = RedisRemote.connect(redisUri);
      twoTier = TwoTierCache.builder("bench", Codec.utf8()).remote(remote).build();
      remoteOnly =
          TwoTierCache.builder("bench", Codec.utf8())
              .remote(remote)
              .near(NearPolicy.NONE, 1, Duration.ofMinutes(1))
              .build();
      for (int i = 0; i < KEYS; i++) {
        twoTier.put(key(i), VALUE, Duration.ofHours(1));
      }
      lettuce = RedisClient.create(redisUri);
      connection = lettuce.connect();
      plain = connection.sync();
      plain.set("plain-key", VALUE);
    }

    @TearDown(org.openjdk.jmh.annotations.Level.Trial)
    public void stop() {
      twoTier.close();
      remoteOnly.close();
      remote.close();
      connection.close();
      lettuce.shutdown();
    }
  }

  /** One Hazelcast member and a client with a near cache on one map and none on another. */
  @State(Scope.Benchmark)
  public static class Peer {
    HazelcastInstance member;
    HazelcastInstance client;
    IMap<String, String> nearMap;
    IMap<String, String> plainMap;

    @Setup(org.openjdk.jmh.annotations.Level.Trial)
    public void start() {
      Logger.getLogger("com.hazelcast").setLevel(java.util.logging.Level.WARNING);
      int port = HazelcastBackend.freeLoopbackPort();
      String cluster = "tideflow-cache-bench-" + UUID.randomUUID();
      member =
          Hazelcast.newHazelcastInstance(
              HazelcastBackend.memberConfig(cluster, port, List.of(port)));
      ClientConfig config = new ClientConfig();
      config.setClusterName(cluster);
      config.setProperty("hazelcast.logging.type", "jdk");
      config.getNetworkConfig().addAddress("127.0.0.1:" + port);
      // Objects in the near cache, as ours keeps them: a hit deserializes nothing.
      config.addNearCacheConfig(
          new NearCacheConfig("near")
              .setInMemoryFormat(InMemoryFormat.OBJECT)
              .setInvalidateOnChange(true));
      client = HazelcastClient.newHazelcastClient(config);
      nearMap = client.getMap("near");
      plainMap = client.getMap("plain");
      for (int i = 0; i < KEYS; i++) {
        nearMap.set(key(i), VALUE);
        plainMap.set(key(i), VALUE);
      }
      for (int i = 0; i < KEYS; i++) {
        nearMap.get(key(i)); // fill the near cache
      }
    }

    @TearDown(org.openjdk.jmh.annotations.Level.Trial)
    public void stop() {
      client.shutdown();
      member.shutdown();
    }
  }

  /** Per-thread position in the key set and a counter for never-seen keys. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
    long fresh;
    final String run = UUID.randomUUID().toString().substring(0, 8);
  }

  private static final CacheLoader<String> CONSTANT = key -> VALUE;

  @Benchmark
  public String nearHit(Tideflow t, Cursor c) {
    return t.twoTier.getIfPresent(key(c.next++));
  }

  @Benchmark
  public String remoteHit(Tideflow t, Cursor c) {
    return t.remoteOnly.getIfPresent(key(c.next++));
  }

  /** A key no tier holds: remote GET, lock, loader (instant), SET, PUBLISH, unlock. */
  @Benchmark
  public String missPenalty(Tideflow t, Cursor c) {
    return t.twoTier.get("miss-" + c.run + "-" + c.fresh++, CONSTANT);
  }

  @Benchmark
  public String lettuceGetFloor(Tideflow t) {
    return t.plain.get("plain-key");
  }

  @Benchmark
  public String hazelcastNearHit(Peer p, Cursor c) {
    return p.nearMap.get(key(c.next++));
  }

  @Benchmark
  public String hazelcastRemoteGet(Peer p, Cursor c) {
    return p.plainMap.get(key(c.next++));
  }
}
