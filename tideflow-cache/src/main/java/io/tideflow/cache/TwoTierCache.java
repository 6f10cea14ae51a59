package io.tideflow.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.cache.codec.Codec;
import io.tideflow.cache.near.NearTier;
import io.tideflow.cache.remote.Invalidation;
import io.tideflow.cache.remote.RedisRemote;
import io.tideflow.cache.remote.RemoteUnavailableException;
import io.tideflow.cache.stats.CacheMetrics;
import io.tideflow.cache.stats.CacheStats;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A cache namespace: an in-process near tier over Redis.
 *
 * <p>Reads try the near tier, then Redis; {@link #get(String, CacheLoader)} then loads once per key
 * among concurrent callers on this node ({@link SingleFlight}) and, through a short Redis lock,
 * among nodes ({@link CrossNodeLoad}). Writes go to both tiers and publish the changed keys on the
 * namespace's channel, so other nodes drop their near copies.
 *
 * <p>Redis is optional and may fail at any time: every remote call has a timeout and sits behind a
 * circuit breaker, and a remote failure only makes the cache serve from the near tier and the
 * loader; no Redis error reaches the caller. Invalidations published while this node was cut off
 * are lost, so the near tier is cleared whenever Redis serves again (the breaker closes or the
 * channel is subscribed again): the price of a few misses, for never serving a value another node
 * replaced during the outage.
 *
 * <p>What a caller can count on while Redis is unreachable, and after:
 *
 * <ul>
 *   <li>A {@link #delete} (or a {@link #put} whose write to Redis failed) takes effect on this node
 *       at once and is not lost: the key is kept as a pending invalidation, this node reads nothing
 *       from Redis for it, and the DEL and the invalidation message are retried (at once when Redis
 *       serves again, else every breaker open duration) until they go through. Then Redis and the
 *       other nodes' near tiers drop the key too. A put made during the outage is not replayed: the
 *       key becomes a miss everywhere, never the value the put replaced. A retried DEL may also
 *       remove a value another node put between Redis's return and the retry: again a miss.
 *   <li>Other nodes cannot hear of the deletion before Redis is back: until this node's retry lands
 *       they may serve their near copy, or Redis's value once their own breaker closes.
 *   <li>At most {@code maxPendingInvalidations} keys are remembered. Past that this node serves
 *       nothing from Redis for the namespace until, with Redis back, it has deleted every key of
 *       the namespace there (SCAN and DEL) and told every node to clear its near tier; counted in
 *       {@link CacheStats#pendingOverflows()}. Pending invalidations live in this process: a node
 *       that stops before Redis returns loses them.
 *   <li>A load never overwrites a newer write: a loaded value is cached only if its key was not
 *       put, deleted or invalidated (by a message from another node) while the loader ran, and it
 *       goes to Redis with SET NX, so a value put on any node after the miss is kept. Its caller
 *       still gets the loaded value; the discard is counted in {@link CacheStats#loadsDiscarded()}.
 *       A delete on another node whose message has not arrived when the load ends is not seen: the
 *       loaded value may then be cached, as in any cache-aside scheme without leases.
 * </ul>
 *
 * <p>Thread-safe. Keys are non-empty strings of at most {@code maxKeyBytes} UTF-8 bytes; values are
 * never null; the near tier keeps the very objects put or loaded, so do not mutate them.
 *
 * @param <V> the value type
 */
public final class TwoTierCache<V> implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TwoTierCache.class.getName());

  private final CacheSettings settings;
  private final String origin = UUID.randomUUID().toString();
  private final String channel;
  private final EntryEncoder<V> encoder;
  private final NearTier<V> near;
  private final RedisRemote remote;
  private final CacheMetrics metrics;
  private final InstantSource clock;
  private final SingleFlight<V> flights;
  private final CrossNodeLoad<V> crossNode;
  // Moved by every change of a key here: a load or a Redis read that raced one does not fill near.
  private final KeyGenerations generations = new KeyGenerations();
  private final PendingInvalidations pending;
  private final InvalidationRetry retry;
  private final InvalidationListener invalidations = new InvalidationListener();

  TwoTierCache(
      CacheSettings settings,
      Codec<V> codec,
      RedisRemote remote,
      MeterRegistry registry,
      Ticker ticker,
      InstantSource clock) {
    this.settings = settings;
    this.channel = "tideflow:cache:invalidate:" + settings.namespace();
    this.encoder = new EntryEncoder<>(settings, codec);
    this.near =
        settings
            .nearPolicy()
            .create(settings.nearMaximumSize(), settings.nearExpireAfterWrite(), ticker);
    this.remote = remote;
    this.pending = new PendingInvalidations(settings.maxPendingInvalidations());
    this.metrics = new CacheMetrics(near, pending::size, pending::overflows);
    this.clock = clock;
    this.flights = new SingleFlight<>(settings.namespace(), settings.loadWait());
    this.crossNode = new CrossNodeLoad<>(this, remote, encoder, settings, origin);
    this.retry =
        remote == null
            ? null
            : new InvalidationRetry(pending, remote, encoder, metrics, channel, origin);
    if (registry != null) {
      metrics.bindTo(registry, settings.namespace(), remote);
    }
    if (remote != null) {
      remote.onRecovery(this::recovered);
      remote.subscribe(channel, invalidations);
    }
  }

  /** A builder for the namespace {@code namespace} whose values {@code codec} serializes. */
  public static <V> CacheBuilder<V> builder(String namespace, Codec<V> codec) {
    return new CacheBuilder<>(namespace, codec);
  }

  /** The value of {@code key} from either tier, or {@code null} when neither holds it. */
  public V getIfPresent(String key) {
    encoder.checkKey(key);
    V value = near.getIfPresent(key);
    if (value != null) {
      metrics.nearHit();
      return value;
    }
    metrics.nearMiss();
    return remote == null ? null : readRemote(key);
  }

  /**
   * The value of {@code key}, loaded by {@code loader} when neither tier holds it, once per key
   * among concurrent callers (on this node, and across nodes through a Redis lock).
   *
   * @throws CacheLoadException if the loader fails, returns null or does not finish in time
   */
  public V get(String key, CacheLoader<V> loader) {
    encoder.checkKey(key);
    Objects.requireNonNull(loader, "loader");
    V value = near.getIfPresent(key);
    if (value != null) {
      metrics.nearHit();
      return value;
    }
    metrics.nearMiss();
    return flights.run(key, () -> loadThroughTiers(key, loader));
  }

  /** Puts {@code value} for the default time to live. */
  public void put(String key, V value) {
    put(key, value, settings.defaultTtl());
  }

  /**
   * Puts {@code value} in both tiers for {@code ttl} and drops other nodes' near copies.
   *
   * @throws IllegalArgumentException if the key or the serialized value is over its limit; the
   *     cache is left as it was
   */
  public void put(String key, V value, Duration ttl) {
    encoder.checkKey(key);
    checkTtl(ttl);
    var encoded = remote == null ? null : encoder.encode(key, value, expiresAt(ttl));
    Objects.requireNonNull(value, "value");
    generations.write(key, () -> near.put(key, value, ttl));
    metrics.writes(1);
    if (encoded != null) {
      writeRemote(Map.of(key, encoded), ttl);
    }
  }

  /** Puts every entry for {@code ttl}; rejects the whole batch if any entry is over a limit. */
  public void putAll(Map<String, V> entries, Duration ttl) {
    checkTtl(ttl);
    Map<String, EntryEncoder.Encoded> encoded = new LinkedHashMap<>();
    long expiresAt = expiresAt(ttl);
    entries.forEach(
        (key, value) -> {
          encoder.checkKey(key);
          encoded.put(key, remote == null ? null : encoder.encode(key, value, expiresAt));
        });
    entries.forEach(
        (key, value) -> {
          Objects.requireNonNull(value, "value");
          generations.write(key, () -> near.put(key, value, ttl));
        });
    metrics.writes(entries.size());
    if (remote != null && !entries.isEmpty()) {
      writeRemote(encoded, ttl);
    }
  }

  /** The values of those {@code keys} either tier holds: near first, then one MGET for the rest. */
  public Map<String, V> getAll(Collection<String> keys) {
    Map<String, V> found = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String key : keys) {
      encoder.checkKey(key);
      V value = near.getIfPresent(key);
      if (value != null) {
        metrics.nearHit();
        found.put(key, value);
      } else {
        metrics.nearMiss();
        missing.add(key);
      }
    }
    if (remote != null && !missing.isEmpty()) {
      found.putAll(readRemote(missing));
    }
    return found;
  }

  /** Removes {@code key} from both tiers and from other nodes' near tiers. */
  public void delete(String key) {
    deleteAll(List.of(key));
  }

  /** Removes {@code keys} from both tiers and from other nodes' near tiers. */
  public void deleteAll(Collection<String> keys) {
    List<String> list = List.copyOf(keys);
    list.forEach(encoder::checkKey);
    list.forEach(key -> generations.write(key, () -> near.invalidate(key)));
    if (remote == null || list.isEmpty()) {
      return;
    }
    long mark = pending.mark();
    try {
      remote.delete(list.stream().map(encoder::redisKey).toList());
      publish(list);
      pending.written(list, mark);
    } catch (RemoteUnavailableException e) {
      // Redis may still hold the values, and other nodes their near copies: kept and retried.
      remoteUnavailable(e);
      retry.failed(list);
    }
  }

  /** Copies those {@code keys} Redis holds into the near tier (e.g. at start, before traffic). */
  public WarmResult warm(Collection<String> keys) {
    return Warming.run(this, keys, null, settings.warmParallelism());
  }

  /**
   * Copies those {@code keys} Redis holds into the near tier and loads the others with {@code
   * loader} (at most {@code warmParallelism} at once, on virtual threads). Failed loads are
   * reported in the result, not thrown.
   */
  public WarmResult warm(Collection<String> keys, CacheLoader<V> loader) {
    return Warming.run(
        this, keys, Objects.requireNonNull(loader, "loader"), settings.warmParallelism());
  }

  /** What this namespace has done so far. */
  public CacheStats stats() {
    return metrics.snapshot();
  }

  /** The settings this cache was built with. */
  public CacheSettings settings() {
    return settings;
  }

  /** Stops listening for invalidations; the shared remote tier stays open. */
  @Override
  public void close() {
    if (remote != null) {
      retry.close();
      remote.unsubscribe(channel, invalidations);
    }
  }

  // ---- used by CrossNodeLoad and Warming ----

  boolean inNear(String key) {
    return near.getIfPresent(key) != null;
  }

  /**
   * The value of {@code key} in Redis, filled into near; null when absent, unavailable, or when a
   * deletion of the key has not reached Redis yet.
   */
  V readRemote(String key) {
    if (pending.blocks(key)) {
      metrics.remoteMiss();
      return null;
    }
    long stamp = generations.stamp(key);
    byte[] frame;
    try {
      frame = remote.get(encoder.redisKey(key));
    } catch (RemoteUnavailableException e) {
      remoteUnavailable(e);
      metrics.remoteMiss();
      return null;
    }
    V value = frame == null ? null : fillNear(key, frame, stamp);
    if (value == null) {
      metrics.remoteMiss();
    } else {
      metrics.remoteHit();
    }
    return value;
  }

  /** Those of {@code keys} Redis holds, filled into near. */
  Map<String, V> readRemote(List<String> keys) {
    Map<String, V> found = new LinkedHashMap<>();
    Map<String, Long> stamps = new LinkedHashMap<>();
    for (String key : keys) {
      if (pending.blocks(key)) {
        metrics.remoteMiss();
      } else {
        stamps.put(key, generations.stamp(key));
      }
    }
    if (stamps.isEmpty()) {
      return found;
    }
    Map<String, byte[]> frames;
    try {
      frames = remote.getAll(stamps.keySet().stream().map(encoder::redisKey).toList());
    } catch (RemoteUnavailableException e) {
      remoteUnavailable(e);
      stamps.forEach((k, stamp) -> metrics.remoteMiss());
      return found;
    }
    for (var entry : stamps.entrySet()) {
      String key = entry.getKey();
      byte[] frame = frames.get(encoder.redisKey(key));
      V value = frame == null ? null : fillNear(key, frame, entry.getValue());
      if (value == null) {
        metrics.remoteMiss();
      } else {
        metrics.remoteHit();
        found.put(key, value);
      }
    }
    return found;
  }

  /**
   * Runs the loader and stores its value in both tiers (Redis only if {@code toRemote}), unless the
   * key was written while the loader ran: a load never replaces a newer put or undoes a delete.
   * Either way the caller gets the loaded value.
   */
  V loadAndStore(String key, CacheLoader<V> loader, boolean toRemote) {
    long stamp = generations.stamp(key);
    V value = invokeLoader(key, loader);
    Duration ttl = settings.defaultTtl();
    // A key whose deletion is pending may still have its old value in Redis: near only, until then.
    if (toRemote && remote != null && !pending.blocks(key)) {
      if (!storeLoadedRemotely(key, value, ttl, stamp)) {
        return value;
      }
    }
    if (generations.storeIfUnchanged(key, stamp, () -> near.put(key, value, ttl))) {
      metrics.writes(1);
    } else {
      metrics.loadDiscarded();
    }
    return value;
  }

  void remoteUnavailable(RemoteUnavailableException e) {
    // Expected while Redis is down or slow: counted; the near tier and the loader serve meanwhile.
    metrics.remoteError();
    LOG.log(Level.FINE, "cache '" + settings.namespace() + "' without Redis: " + e.getMessage());
  }

  private V loadThroughTiers(String key, CacheLoader<V> loader) {
    if (remote == null) {
      return loadAndStore(key, loader, false);
    }
    return crossNode.load(key, loader);
  }

  private V invokeLoader(String key, CacheLoader<V> loader) {
    long start = System.nanoTime();
    V value;
    try {
      value = loader.load(key);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      metrics.loadFailed(System.nanoTime() - start);
      throw new CacheLoadException(settings.namespace(), key, "the loader threw " + e, e);
    }
    if (value == null) {
      metrics.loadFailed(System.nanoTime() - start);
      throw new CacheLoadException(settings.namespace(), key, "the loader returned null", null);
    }
    metrics.loaded(System.nanoTime() - start);
    return value;
  }

  /** Writes a loaded value to Redis if nothing newer is there; whether near may take it too. */
  private boolean storeLoadedRemotely(String key, V value, Duration ttl, long stamp) {
    EntryEncoder.Encoded encoded;
    try {
      encoded = encoder.encode(key, value, expiresAt(ttl));
    } catch (IllegalArgumentException tooLarge) {
      // The caller still gets its value; the cache cannot hold it. Counted, and said.
      metrics.notCached();
      LOG.log(Level.WARNING, "loaded value not cached: " + tooLarge.getMessage());
      return false;
    }
    if (generations.stamp(key) != stamp) {
      metrics.loadDiscarded(); // written here or invalidated from elsewhere during the load
      return false;
    }
    try {
      // NX: the load followed a miss, so a value in Redis now was almost always put after the
      // load started (else it is one this node could not read); either way not ours to replace.
      if (!remote.setIfAbsent(encoder.redisKey(key), encoded.frame(), ttl)) {
        metrics.loadDiscarded();
        return false;
      }
      metrics.stored(encoded.serializedBytes(), encoded.frame().length);
      publish(List.of(key));
    } catch (RemoteUnavailableException e) {
      remoteUnavailable(e); // near only, as for any write during an outage
    }
    return true;
  }

  private V fillNear(String key, byte[] frame, long stamp) {
    EntryEncoder.Decoded<V> decoded;
    try {
      decoded = encoder.decode(frame);
    } catch (RuntimeException corrupt) {
      // Not ours, or written by an incompatible codec: a miss, counted, and said.
      metrics.remoteError();
      LOG.log(
          Level.WARNING,
          "cache '"
              + settings.namespace()
              + "': unreadable value for '"
              + EntryEncoder.abbreviate(key)
              + "': "
              + corrupt);
      return null;
    }
    long remainingMillis = decoded.expiresAtMillis() - clock.millis();
    if (remainingMillis > 0) {
      generations.storeIfUnchanged(
          key, stamp, () -> near.put(key, decoded.value(), Duration.ofMillis(remainingMillis)));
    }
    return decoded.value();
  }

  private void writeRemote(Map<String, EntryEncoder.Encoded> encoded, Duration ttl) {
    Map<String, byte[]> frames = new LinkedHashMap<>();
    encoded.forEach(
        (key, entry) -> {
          frames.put(encoder.redisKey(key), entry.frame());
          metrics.stored(entry.serializedBytes(), entry.frame().length);
        });
    long mark = pending.mark();
    try {
      if (frames.size() == 1) {
        var only = frames.entrySet().iterator().next();
        remote.set(only.getKey(), only.getValue(), ttl);
      } else {
        remote.setAll(frames, ttl);
      }
      List<String> keys = List.copyOf(encoded.keySet());
      publish(keys);
      // Redis holds the new values now: an older failed write of these keys must not be retried
      // as a deletion. A retry already on its way may still delete one of them: a miss, never a
      // stale value.
      pending.written(keys, mark);
    } catch (RemoteUnavailableException e) {
      // Redis may keep the values these replaced: deleted there once it is back, like a delete.
      remoteUnavailable(e);
      retry.failed(List.copyOf(encoded.keySet()));
    }
  }

  private void publish(List<String> keys) throws RemoteUnavailableException {
    remote.publish(channel, new Invalidation(origin, keys).encode());
  }

  private long expiresAt(Duration ttl) {
    return clock.millis() + ttl.toMillis();
  }

  private static void checkTtl(Duration ttl) {
    if (ttl == null || ttl.toMillis() < 1) {
      throw new IllegalArgumentException("ttl must be at least 1 ms, was " + ttl);
    }
  }

  private void recovered() {
    clearNearAfterOutage();
    retry.retryNow();
  }

  private void clearNearAfterOutage() {
    generations.writeAll(near::invalidateAll);
  }

  /** Drops near copies of keys other nodes changed; on Lettuce's event loop. */
  private final class InvalidationListener implements RedisRemote.ChannelListener {
    @Override
    public void onMessage(byte[] message) {
      Invalidation invalidation;
      try {
        invalidation = Invalidation.decode(message);
      } catch (IllegalArgumentException malformed) {
        // Someone else publishing on our channel: counted and said, then ignored.
        metrics.remoteError();
        LOG.log(Level.WARNING, "ignoring a malformed invalidation on " + channel, malformed);
        return;
      }
      if (invalidation.origin().equals(origin)) {
        return;
      }
      if (invalidation.isEveryKey()) {
        clearNearAfterOutage();
        return;
      }
      for (String key : invalidation.keys()) {
        generations.write(key, () -> near.invalidate(key));
        crossNode.signal(key);
      }
    }

    @Override
    public void onResubscribed() {
      clearNearAfterOutage();
      retry.retryNow();
    }
  }
}
