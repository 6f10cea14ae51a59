package io.tideflow.runtime.autoscale;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tideflow.core.autoscale.ScaleRequest;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.PrefixWatch;
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

  private final Map<String, ScaleRequest> byPool = new ConcurrentHashMap<>();
  private volatile PrefixWatch watch;

  private ScaleRequests() {}

  /**
   * Reads the requests and follows them.
   *
   * @throws io.tideflow.store.StoreUnavailableException when the store cannot be read in time
   */
  public static ScaleRequests follow(ClusterStore store, Duration timeout) {
    ScaleRequests requests = new ScaleRequests();
    requests.watch =
        PrefixWatch.start(
            store,
            ClusterKeys.SCALE,
            timeout,
            InstantSource.system(),
            PrefixWatch.DEFAULT_BACKOFF,
            new PrefixWatch.Sink() {
              @Override
              public void onSnapshot(ClusterStore.Snapshot snapshot, boolean restart) {
                requests.byPool.clear();
                for (KeyValue kv : snapshot.kvs()) {
                  requests.put(kv);
                }
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
      byPool.put(pool(kv), decode(kv.key(), kv.value()));
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, e.getMessage()); // unreadable: as if there were none
      byPool.remove(pool(kv));
    }
  }

  /** The latest request for {@code pool}, held or lapsed; null when there is none. */
  public ScaleRequest of(String pool) {
    return byPool.get(pool);
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
    if (bytes.length > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "scale request at " + key + " is " + bytes.length + " bytes, over " + MAX_RECORD_BYTES);
    }
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
