package io.tideflow.store.memory;

import io.tideflow.store.ClusterStore.WatchEvent;
import io.tideflow.store.RevisionCompactedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last {@code limit} events, so a watch can start from a past revision. Older revisions are
 * dropped ("compacted"). Not thread-safe: guarded by the store's lock.
 */
final class EventHistory {
  private final int limit;
  private final Deque<WatchEvent> events = new ArrayDeque<>();
  private long compactedRevision;

  EventHistory(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("history limit must be >= 1, was " + limit);
    }
    this.limit = limit;
  }

  void add(List<WatchEvent> batch) {
    for (WatchEvent event : batch) {
      events.addLast(event);
      if (events.size() > limit) {
        WatchEvent dropped = events.removeFirst();
        compactedRevision = Math.max(compactedRevision, dropped.kv().modRevision());
      }
    }
  }

  /** Events at {@code fromRevision} or later whose key starts with {@code prefix}, in order. */
  List<WatchEvent> since(long fromRevision, String prefix) {
    if (fromRevision <= compactedRevision) {
      throw new RevisionCompactedException(fromRevision, compactedRevision);
    }
    List<WatchEvent> result = new ArrayList<>();
    for (WatchEvent event : events) {
      if (event.kv().modRevision() >= fromRevision && event.kv().key().startsWith(prefix)) {
        result.add(event);
      }
    }
    return result;
  }
}
