package io.tideflow.cache.remote;

import com.github.benmanes.caffeine.cache.Ticker;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.resource.ClientResources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The remote tier: Redis through Lettuce, behind a timeout on every call and a circuit breaker.
 *
 * <p>One instance serves every namespace of a process (one command connection, one pub/sub
 * connection). Every method is safe from any thread and blocks its caller for at most the command
 * timeout; a failure, a timeout or an open breaker is a {@link RemoteUnavailableException}, never
 * anything else. Redis down when this is created is not an error: the tier starts unavailable and
 * connects in the background when the breaker lets a probe through.
 *
 * <p>Channel listeners run on Lettuce's event loop: they must not block.
 */
public final class RedisRemote implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RedisRemote.class.getName());
  private static final String COMPARE_AND_DELETE =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

  private final RemoteOptions options;
  private final long timeoutNanos;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final CircuitBreaker breaker;
  private final Map<String, List<ChannelListener>> channels = new ConcurrentHashMap<>();
  private final List<Runnable> recoveryListeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean connecting = new AtomicBoolean();
  private volatile RedisLink link;
  private volatile boolean closed;

  private final LongAdder calls = new LongAdder();
  private final LongAdder callNanos = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder rejected = new LongAdder();

  /** Receives the messages of one channel; called on Lettuce's event loop, must not block. */
  public interface ChannelListener {
    /** A message published on the channel (also this process's own). */
    void onMessage(byte[] message);

    /**
     * The channel was subscribed again after the connection was lost: messages may have been missed
     * in between.
     */
    void onResubscribed();
  }

  private RedisRemote(RemoteOptions options, Ticker ticker) {
    this.options = options;
    this.timeoutNanos = options.commandTimeout().toNanos();
    this.resources = RedisLink.resources(options);
    this.client = RedisLink.client(options, resources);
    this.breaker = new CircuitBreaker(options.failureThreshold(), options.openDuration(), ticker);
    breaker.onClose(() -> recoveryListeners.forEach(Runnable::run));
  }

  /**
   * A remote tier for {@code options}, connected if Redis answers within the connect timeout and
   * otherwise connecting later by itself.
   */
  public static RedisRemote connect(RemoteOptions options) {
    RedisRemote remote = new RedisRemote(options, Ticker.systemTicker());
    remote.tryConnect();
    return remote;
  }

  /** {@link #connect(RemoteOptions)} with {@link RemoteOptions#defaults defaults}. */
  public static RedisRemote connect(String uri) {
    return connect(RemoteOptions.defaults(uri));
  }

  /** Runs {@code listener} whenever Redis serves again after the breaker had opened. */
  public void onRecovery(Runnable listener) {
    recoveryListeners.add(listener);
  }

  /** Delivers the messages of {@code channel} to {@code listener} (as well as to earlier ones). */
  public void subscribe(String channel, ChannelListener listener) {
    boolean first;
    List<ChannelListener> listeners =
        channels.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
    synchronized (listeners) {
      first = listeners.isEmpty();
      listeners.add(listener);
    }
    RedisLink current = link;
    if (first && current != null) {
      current.pubSub().async().subscribe(channel);
    }
  }

  /** Stops delivering {@code channel}'s messages to {@code listener}. */
  public void unsubscribe(String channel, ChannelListener listener) {
    List<ChannelListener> listeners = channels.get(channel);
    if (listeners == null) {
      return;
    }
    boolean last;
    synchronized (listeners) {
      last = listeners.remove(listener) && listeners.isEmpty();
    }
    RedisLink current = link;
    if (last && current != null) {
      current.pubSub().async().unsubscribe(channel);
    }
  }

  /** The stored bytes of {@code key}, or {@code null} when Redis has no such key. */
  public byte[] get(String key) throws RemoteUnavailableException {
    return call("GET", c -> c.get(key));
  }

  /** The stored bytes of those {@code keys} Redis has (one MGET). */
  public Map<String, byte[]> getAll(List<String> keys) throws RemoteUnavailableException {
    List<KeyValue<String, byte[]>> values = call("MGET", c -> c.mget(keys.toArray(String[]::new)));
    Map<String, byte[]> found = new HashMap<>();
    for (KeyValue<String, byte[]> value : values) {
      if (value.hasValue()) {
        found.put(value.getKey(), value.getValue());
      }
    }
    return found;
  }

  /** Stores {@code value} under {@code key} for {@code ttl} (SET PX). */
  public void set(String key, byte[] value, Duration ttl) throws RemoteUnavailableException {
    call("SET", c -> c.set(key, value, SetArgs.Builder.px(ttl)));
  }

  /**
   * Stores {@code value} under {@code key} for {@code ttl} only if Redis holds nothing there (SET
   * NX PX): how a loaded value is written, so that it never replaces a value written meanwhile.
   *
   * @return whether the value was stored
   */
  public boolean setIfAbsent(String key, byte[] value, Duration ttl)
      throws RemoteUnavailableException {
    return "OK".equals(call("SET NX", c -> c.set(key, value, SetArgs.Builder.nx().px(ttl))));
  }

  /** Stores every entry for {@code ttl}: pipelined SETs, awaited together within one timeout. */
  public void setAll(Map<String, byte[]> values, Duration ttl) throws RemoteUnavailableException {
    batch(
        "SET*" + values.size(),
        c -> {
          List<RedisFuture<?>> futures = new ArrayList<>(values.size());
          values.forEach((key, value) -> futures.add(c.set(key, value, SetArgs.Builder.px(ttl))));
          return futures;
        });
  }

  /** Deletes {@code keys}. */
  public void delete(List<String> keys) throws RemoteUnavailableException {
    call("DEL", c -> c.del(keys.toArray(String[]::new)));
  }

  /**
   * Deletes every key matching the glob {@code pattern}: SCAN pages of up to 1,000 keys, one DEL
   * each (every page and every DEL within the command timeout). Keys written while it runs may
   * survive; keys present throughout are deleted. Across every node of a cluster.
   *
   * @return how many keys were deleted
   */
  public long deleteMatching(String pattern) throws RemoteUnavailableException {
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1_000);
    ScanCursor cursor = ScanCursor.INITIAL;
    long deleted = 0;
    do {
      ScanCursor from = cursor;
      KeyScanCursor<String> page = call("SCAN", c -> c.scan(from, args));
      if (!page.getKeys().isEmpty()) {
        deleted += call("DEL", c -> c.del(page.getKeys().toArray(String[]::new)));
      }
      cursor = page;
    } while (!cursor.isFinished());
    return deleted;
  }

  /** Takes the lock {@code lockKey} for {@code ttl} if nobody holds it (SET NX PX). */
  public boolean tryLock(String lockKey, String token, Duration ttl)
      throws RemoteUnavailableException {
    return "OK"
        .equals(call("SET NX", c -> c.set(lockKey, bytes(token), SetArgs.Builder.nx().px(ttl))));
  }

  /** Releases {@code lockKey} if {@code token} still holds it (compare-and-delete in Lua). */
  public void unlock(String lockKey, String token) throws RemoteUnavailableException {
    call(
        "EVAL unlock",
        c ->
            c.<Long>eval(
                COMPARE_AND_DELETE,
                ScriptOutputType.INTEGER,
                new String[] {lockKey},
                bytes(token)));
  }

  /** Publishes {@code message} on {@code channel}. */
  public void publish(String channel, byte[] message) throws RemoteUnavailableException {
    call("PUBLISH", c -> c.publish(channel, message));
  }

  /** The breaker's state now. */
  public CircuitBreaker.State breakerState() {
    return breaker.state();
  }

  /** Counters of this tier's calls, for metrics. */
  public RemoteStats stats() {
    return new RemoteStats(
        calls.sum(), callNanos.sum(), timeouts.sum(), errors.sum(), rejected.sum());
  }

  /** The options this tier was made with. */
  public RemoteOptions options() {
    return options;
  }

  @Override
  public void close() {
    closed = true;
    RedisLink current = link;
    link = null;
    try {
      if (current != null) {
        current.close();
      }
    } catch (Exception e) {
      LOG.log(Level.FINE, "closing the Redis connections", e);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  private interface Command<T> {
    RedisFuture<T> send(RedisClusterAsyncCommands<String, byte[]> commands);
  }

  private interface Batch {
    List<RedisFuture<?>> send(RedisClusterAsyncCommands<String, byte[]> commands);
  }

  private <T> T call(String what, Command<T> command) throws RemoteUnavailableException {
    RedisClusterAsyncCommands<String, byte[]> commands = acquire(what);
    long start = System.nanoTime();
    RedisFuture<T> future = command.send(commands);
    T result = await(what, future, start + timeoutNanos);
    finish(start);
    return result;
  }

  private void batch(String what, Batch batch) throws RemoteUnavailableException {
    RedisClusterAsyncCommands<String, byte[]> commands = acquire(what);
    long start = System.nanoTime();
    for (RedisFuture<?> future : batch.send(commands)) {
      await(what, future, start + timeoutNanos);
    }
    finish(start);
  }

  private RedisClusterAsyncCommands<String, byte[]> acquire(String what)
      throws RemoteUnavailableException {
    if (!breaker.tryAcquire()) {
      rejected.increment();
      throw new RemoteUnavailableException(what + " not sent: circuit breaker open");
    }
    RedisLink current = link;
    if (current == null) {
      // Expected while Redis has been unreachable since start: try again in the background.
      breaker.recordFailure();
      errors.increment();
      connectInBackground();
      throw new RemoteUnavailableException(what + " not sent: not connected to " + options.uri());
    }
    return current.commands();
  }

  private <T> T await(String what, RedisFuture<T> future, long deadline)
      throws RemoteUnavailableException {
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(false);
      timeouts.increment();
      breaker.recordFailure();
      throw new RemoteUnavailableException(
          what + " timed out after " + options.commandTimeout().toMillis() + " ms", e);
    } catch (ExecutionException e) {
      errors.increment();
      breaker.recordFailure();
      throw new RemoteUnavailableException(what + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      // Not Redis's fault: keep the interrupt for the caller, do not count it against the breaker.
      Thread.currentThread().interrupt();
      future.cancel(false);
      throw new RemoteUnavailableException(what + " interrupted", e);
    }
  }

  private void finish(long start) {
    calls.increment();
    callNanos.add(System.nanoTime() - start);
    breaker.recordSuccess();
  }

  private void connectInBackground() {
    if (!closed && connecting.compareAndSet(false, true)) {
      Thread.ofVirtual().name("tideflow-cache-connect").start(this::tryConnect);
    }
  }

  private void tryConnect() {
    connecting.set(true);
    try {
      RedisLink connected = RedisLink.connect(client);
      connected.pubSub().addListener(new Dispatcher());
      if (closed) {
        connected.close();
        return;
      }
      // Publish the link before reading the channels: subscribe() adds its channel before it reads
      // the link, so every channel is subscribed by one side or the other (at worst by both).
      link = connected;
      if (!channels.isEmpty()) {
        connected.pubSub().async().subscribe(channels.keySet().toArray(String[]::new));
      }
      breaker.recordSuccess();
    } catch (Exception e) {
      // Expected when Redis is down: the cache serves from the near tier and the loader.
      errors.increment();
      LOG.log(Level.FINE, () -> "cannot reach Redis at " + options.uri() + ": " + e);
    } finally {
      connecting.set(false);
    }
  }

  private static byte[] bytes(String token) {
    return token.getBytes(StandardCharsets.UTF_8);
  }

  /** Routes pub/sub events to the channel listeners (on Lettuce's event loop). */
  private final class Dispatcher extends RedisPubSubAdapter<String, byte[]> {
    private final Map<String, Boolean> subscribedOnce = new ConcurrentHashMap<>();

    @Override
    public void message(String channel, byte[] message) {
      for (ChannelListener listener : channels.getOrDefault(channel, List.of())) {
        listener.onMessage(message);
      }
    }

    @Override
    public void subscribed(String channel, long count) {
      if (subscribedOnce.put(channel, Boolean.TRUE) != null) {
        channels.getOrDefault(channel, List.of()).forEach(ChannelListener::onResubscribed);
      }
    }
  }
}
