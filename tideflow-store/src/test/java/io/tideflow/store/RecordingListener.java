package io.tideflow.store;

import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.ClusterStore.WatchListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A watch listener for tests: keeps every event and error, and counts calls that overlapped, which
 * must never happen.
 */
public final class RecordingListener implements WatchListener {
  private final List<WatchEvent> events = new CopyOnWriteArrayList<>();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final AtomicInteger inside = new AtomicInteger();
  private final AtomicInteger overlaps = new AtomicInteger();

  @Override
  public void onEvents(List<WatchEvent> batch) {
    if (inside.incrementAndGet() > 1) {
      overlaps.incrementAndGet();
    }
    events.addAll(batch);
    inside.decrementAndGet();
  }

  @Override
  public void onError(Throwable error) {
    errors.add(error);
  }

  public List<WatchEvent> events() {
    return List.copyOf(events);
  }

  /** Each event as {@code TYPE key=value@modRevision}, easy to compare in assertions. */
  public List<String> described() {
    List<String> described = new ArrayList<>();
    for (WatchEvent event : events) {
      described.add(
          event.type()
              + " "
              + event.kv().key()
              + "="
              + new String(event.kv().value(), StandardCharsets.UTF_8));
    }
    return described;
  }

  public List<Throwable> errors() {
    return List.copyOf(errors);
  }

  public int overlappingCalls() {
    return overlaps.get();
  }
}
