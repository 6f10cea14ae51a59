package io.tideflow.runtime.provider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The answers a provider gave, by request id, so a repeated request returns the first answer and
 * does nothing more. Bounded: the oldest answers are forgotten past {@code capacity} (a coordinator
 * repeats a request within seconds, not after a thousand others).
 */
final class RequestLog<T> {
  /** How many request ids each provider remembers. */
  static final int DEFAULT_CAPACITY = 1_000;

  private final Map<String, CompletableFuture<T>> answers;

  RequestLog(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be > 0, was " + capacity);
    }
    this.answers =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<T>> eldest) {
            return size() > capacity;
          }
        };
  }

  /**
   * The answer to {@code requestId}: the first call's, or what {@code action} starts now. The
   * action runs outside the log's lock and must not block.
   */
  CompletableFuture<T> answer(String requestId, Supplier<CompletableFuture<T>> action) {
    if (requestId == null || requestId.isBlank()) {
      throw new IllegalArgumentException("requestId must not be blank, was '" + requestId + "'");
    }
    CompletableFuture<T> answer;
    synchronized (answers) {
      answer = answers.get(requestId);
      if (answer != null) {
        return answer.copy();
      }
      answer = new CompletableFuture<>();
      answers.put(requestId, answer);
    }
    CompletableFuture<T> result = answer;
    try {
      action
          .get()
          .whenComplete(
              (value, error) -> {
                if (error != null) {
                  result.completeExceptionally(error);
                } else {
                  result.complete(value);
                }
              });
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result.copy();
  }
}
