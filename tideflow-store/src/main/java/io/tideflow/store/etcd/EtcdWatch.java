package io.tideflow.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.Watch.Watcher;
import io.etcd.jetcd.common.exception.CompactedException;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.ClusterStore.WatchListener;
import io.tideflow.store.KeyValue;
import io.tideflow.store.RevisionCompactedException;
import io.tideflow.store.StoreUnavailableException;
import io.tideflow.store.delivery.SerialExecutor;
import java.util.ArrayList;
import java.util.List;

/**
 * Bridges a jetcd watch to a {@link WatchListener}. jetcd calls this on a vert.x event loop thread,
 * in order; batches go through a {@link SerialExecutor} so the listener runs on the store's
 * threads, one batch at a time.
 *
 * <p>jetcd calls {@code onError} for every broken stream and then resumes from the next revision by
 * itself, so an error is only final when {@code onCompleted} follows it without our {@link
 * #close()}.
 */
final class EtcdWatch implements ClusterStore.Watch, io.etcd.jetcd.Watch.Listener {
  private final long fromRevision;
  private final WatchListener listener;
  private final SerialExecutor delivery;
  private final EtcdErrors errors;
  private final Runnable onClose;
  private volatile boolean closed;
  private volatile Throwable lastError;
  private volatile Watcher watcher;

  EtcdWatch(
      long fromRevision,
      WatchListener listener,
      SerialExecutor delivery,
      EtcdErrors errors,
      Runnable onClose) {
    this.fromRevision = fromRevision;
    this.listener = listener;
    this.delivery = delivery;
    this.errors = errors;
    this.onClose = onClose;
  }

  void attach(Watcher watcher) {
    this.watcher = watcher;
    if (closed) {
      watcher.close();
    }
  }

  @Override
  public void onNext(io.etcd.jetcd.watch.WatchResponse response) {
    lastError = null;
    List<WatchEvent> events = new ArrayList<>();
    for (io.etcd.jetcd.watch.WatchEvent event : response.getEvents()) {
      WatchEvent.Type type =
          switch (event.getEventType()) {
            case PUT -> WatchEvent.Type.PUT;
            case DELETE -> WatchEvent.Type.DELETE;
            case UNRECOGNIZED -> null;
          };
      if (type != null) {
        events.add(new WatchEvent(type, toKeyValue(event.getKeyValue())));
      }
    }
    if (!events.isEmpty()) {
      List<WatchEvent> batch = List.copyOf(events);
      delivery.execute(
          () -> {
            if (!closed) {
              listener.onEvents(batch);
            }
          });
    }
  }

  @Override
  public void onError(Throwable error) {
    lastError = error;
  }

  @Override
  public void onCompleted() {
    if (closed) {
      return;
    }
    closed = true;
    onClose.run();
    Throwable cause = lastError;
    Throwable reported =
        switch (cause) {
          case CompactedException compacted ->
              new RevisionCompactedException(fromRevision, compacted.getCompactedRevision());
          case null -> new StoreUnavailableException("etcd ended the watch");
          default -> errors.map(cause, 0);
        };
    delivery.execute(() -> listener.onError(reported));
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    onClose.run();
    Watcher current = watcher;
    if (current != null) {
      current.close();
    }
  }

  static KeyValue toKeyValue(io.etcd.jetcd.KeyValue kv) {
    return new KeyValue(
        kv.getKey().toString(UTF_8),
        kv.getValue().getBytes(),
        kv.getCreateRevision(),
        kv.getModRevision(),
        kv.getLease());
  }
}
