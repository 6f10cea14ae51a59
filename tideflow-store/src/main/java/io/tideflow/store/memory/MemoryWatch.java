package io.tideflow.store.memory;

import io.tideflow.store.ClusterStore.Watch;
import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.ClusterStore.WatchListener;
import io.tideflow.store.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A watch of the memory store. The store offers it every batch of events while holding its lock, so
 * batches reach {@link #delivery} in revision order; the listener runs later, on the delivery
 * executor, one batch at a time.
 */
final class MemoryWatch implements Watch {
  private final String prefix;
  private final long fromRevision;
  private final WatchListener listener;
  private final Executor delivery;
  private final Consumer<MemoryWatch> onClose;
  private volatile boolean closed;

  MemoryWatch(
      String prefix,
      long fromRevision,
      WatchListener listener,
      Executor delivery,
      Consumer<MemoryWatch> onClose) {
    this.prefix = prefix;
    this.fromRevision = fromRevision;
    this.listener = listener;
    this.delivery = delivery;
    this.onClose = onClose;
  }

  /** Queues the events this watch wants; called under the store's lock. */
  void offer(List<WatchEvent> events) {
    List<WatchEvent> matched = new ArrayList<>();
    for (WatchEvent event : events) {
      KeyValue kv = event.kv();
      if (kv.key().startsWith(prefix) && kv.modRevision() >= fromRevision) {
        matched.add(new WatchEvent(event.type(), copy(kv)));
      }
    }
    if (!matched.isEmpty()) {
      List<WatchEvent> batch = List.copyOf(matched);
      delivery.execute(
          () -> {
            if (!closed) {
              listener.onEvents(batch);
            }
          });
    }
  }

  /** Ends the watch with {@code error}. */
  void fail(Throwable error) {
    closed = true;
    delivery.execute(() -> listener.onError(error));
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      onClose.accept(this);
    }
  }

  private static KeyValue copy(KeyValue kv) {
    return new KeyValue(
        kv.key(), kv.value().clone(), kv.createRevision(), kv.modRevision(), kv.leaseId());
  }
}
