package io.tideflow.runtime.autoscale;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tideflow.core.forecast.LoadHistory;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.RecordLimits;
import io.tideflow.runtime.membership.proto.LoadHistoryRecord;
import java.time.Duration;

/**
 * A pool's load history as stored under {@link ClusterKeys#load}, so a new leader forecasts from
 * the days its predecessor kept instead of starting afresh. Means are kept as floats: a week of
 * five-minute buckets is about 8 kB.
 */
public final class LoadHistories {
  /** The largest record read: {@link LoadHistory#MAX_CAPACITY} floats and a few fields. */
  static final int MAX_RECORD_BYTES = 4 * LoadHistory.MAX_CAPACITY + 64;

  private LoadHistories() {}

  public static byte[] encode(LoadHistory h) {
    LoadHistoryRecord.Builder b =
        LoadHistoryRecord.newBuilder()
            .setBucketMillis(h.bucket().toMillis())
            .setCapacity(h.capacity())
            .setNewestBucket(h.isEmpty() ? 0 : h.newestBucket());
    for (double m : h.means()) {
      b.addMeans((float) m);
    }
    return b.build().toByteArray();
  }

  /**
   * @throws IllegalArgumentException naming {@code key} when the bytes are not a load history
   */
  public static LoadHistory decode(String key, byte[] bytes) {
    RecordLimits.check("load history", key, bytes, MAX_RECORD_BYTES);
    try {
      LoadHistoryRecord r = LoadHistoryRecord.parseFrom(bytes);
      double[] means = new double[r.getMeansCount()];
      for (int i = 0; i < means.length; i++) {
        means[i] = r.getMeans(i);
      }
      return LoadHistory.restore(
          Duration.ofMillis(r.getBucketMillis()), r.getCapacity(), r.getNewestBucket(), means);
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid load history at " + key + ": " + e.getMessage(), e);
    }
  }
}
