package io.tideflow.runtime.autoscale;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tideflow.core.autoscale.ScaleRequest;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.PrefixWatch;
import io.tideflow.runtime.membership.RecordLimits;
import io.tideflow.runtime.membership.proto.ScaleRequestRecord;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.KeyValue;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows the operators' scale requests ({@link ClusterKeys#SCALE}) for the pools' leader: the
 * latest request of each pool, as the store last said. Also encodes them for {@code tideflow
 * scale}.
 */
public final class ScaleRequests implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ScaleRequests.class.getName());

  /** The largest record read: anything bigger is not one of ours. */
  static final int MAX_RECORD_BYTES = 4096;

  /**
   * The latest request of each pool, held from when this side first saw its write (its revision):
   * the operator's clock and the leader's need not agree.
   */
  private record Seen(long revision, ScaleRequest request) {}

  private final Map<String, Seen> byPool = new ConcurrentHashMap<>();
  private volatile PrefixWatch watch;
  private final InstantSource clock;

  private ScaleRequests(InstantSource clock) {
    this.clock = clock;
  }

  /**
   * Reads the requests and follows them, timing each request's hold from when this side first sees
   * it, on {@code clock}.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read in time
   */
  public static ScaleRequests follow(ClusterStore store, Duration timeout, InstantSource clock) {
    ScaleRequests requests = new ScaleRequests(clock);
    requests.watch =
        PrefixWatch.start(
            store,
            ClusterKeys.SCALE,
            timeout,
            clock,
            PrefixWatch.DEFAULT_BACKOFF,
            new PrefixWatch.Sink() {
              @Override
              public void onSnapshot(ClusterStore.Snapshot snapshot, boolean restart) {
                java.util.Set<String> listed = new java.util.HashSet<>();
                for (KeyValue kv : snapshot.kvs()) {
                  listed.add(pool(kv));
                  requests.put(kv);
                }
                requests.byPool.keySet().retainAll(listed);
              }

              @Override
              public void onEvents(List<WatchEvent> events) {
                for (WatchEvent e : events) {
                  if (e.type() == WatchEvent.Type.DELETE) {
                    requests.byPool.remove(pool(e.kv()));
                  } else {
                    requests.put(e.kv());
                  }
                }
              }
            });
    return requests;
  }

  private static String pool(KeyValue kv) {
    return kv.key().substring(ClusterKeys.SCALE.length());
  }

  private void put(KeyValue kv) {
    try {
      Seen before = byPool.get(pool(kv));
      if (before != null && before.revision() == kv.modRevision()) {
        return; // listed again after a watch error: the same request, its hold already running
      }
      ScaleRequest asked = decode(kv.key(), kv.value());
      byPool.put(
          pool(kv),
          new Seen(
              kv.modRevision(),
              new ScaleRequest(
                  asked.to(), asked.factor(), clock.instant(), asked.hold(), asked.by())));
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, e.getMessage()); // unreadable: as if there were none
      byPool.remove(pool(kv));
    }
  }

  /** The latest request for {@code pool}, held or lapsed; null when there is none. */
  public ScaleRequest of(String pool) {
    Seen s = byPool.get(pool);
    return s == null ? null : s.request();
  }

  public static byte[] encode(ScaleRequest r) {
    return ScaleRequestRecord.newBuilder()
        .setTo(r.to())
        .setFactor(r.factor())
        .setRequestedAtMillis(r.requestedAt().toEpochMilli())
        .setHoldMillis(r.hold().toMillis())
        .setBy(r.by())
        .build()
        .toByteArray();
  }

  /**
   * @throws IllegalArgumentException naming {@code key} when the record is not a request
   */
  public static ScaleRequest decode(String key, byte[] bytes) {
    RecordLimits.check("scale request", key, bytes, MAX_RECORD_BYTES);
    try {
      ScaleRequestRecord r = ScaleRequestRecord.parseFrom(bytes);
      return new ScaleRequest(
          r.getTo(),
          r.getFactor(),
          Instant.ofEpochMilli(r.getRequestedAtMillis()),
          Duration.ofMillis(r.getHoldMillis()),
          r.getBy());
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid scale request at " + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    watch.close();
  }
}
